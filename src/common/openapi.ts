import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtension, ApiParam, ApiQuery, ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import type { z } from 'zod';
import { problemDocumentSchema } from './problem-details.js';
import { openApiSchema } from './validation.js';

/** OpenAPI schema object as @nestjs/swagger types it (its interfaces are not exported from the package root). */
type SchemaObject = Record<string, any>;

/** Every error answer's body: the `Problem` schema of the document's components (built from problemDocumentSchema). */
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const PROBLEM_EXAMPLE = {
  type: 'urn:popgate:problem:fields_not_allowed',
  title: 'Forbidden',
  status: 403,
  detail: 'Service 1.001456 may not read: religion.',
  code: 'fields_not_allowed',
  instance: '/registry/v1/citizens/001090999921?fields=religion',
  requestId: '2b1f0c8e-5d0c-4a43-9a8e-0f6f7c0d9b11',
  errors: [{ field: 'fields', rule: 'not_in_allow_list', message: '"religion" is not in the allow-list of service 1.001456' }],
  refusedFields: ['religion'],
};

/** A response header popgate sets besides the standard ones. */
export type ResponseHeader =
  | 'X-Request-Id'
  | 'Retry-After'
  | 'X-Popgate-Data'
  | 'Cache-Control'
  | 'X-Content-Type-Options'
  | 'Vary'
  | 'Access-Control-Allow-Origin'
  | 'Access-Control-Expose-Headers'
  | 'X-Call-Id'
  | 'X-Sandbox-Fault-Applied'
  | 'Content-Disposition'
  | 'Location'
  | 'Idempotent-Replayed'
  | 'WWW-Authenticate';

/** The response headers popgate sets, declared once under `components.headers`. */
const RESPONSE_HEADERS: Record<ResponseHeader, SchemaObject> = {
  'X-Request-Id': {
    description: 'Identifies the call in the logs and the audit: the request\'s own X-Request-Id when acceptable, else a generated UUID',
    required: true,
    schema: { type: 'string' },
    example: '2b1f0c8e-5d0c-4a43-9a8e-0f6f7c0d9b11',
  },
  'Retry-After': {
    description: 'Seconds to wait before calling again',
    required: true,
    schema: { type: 'integer', minimum: 1 },
    example: 5,
  },
  'X-Popgate-Data': {
    description: 'Every citizen in popgate is synthetic',
    required: true,
    schema: { type: 'string', enum: ['synthetic'] },
    example: 'synthetic',
  },
  'Cache-Control': {
    description: 'Answers that carry personal data (registry, /access, /sandbox) and every problem are `no-store`; health answers are not cached either',
    required: true,
    schema: { type: 'string' },
    example: 'no-store',
  },
  'X-Content-Type-Options': {
    description: 'On every answer: browsers must not guess another content type',
    required: true,
    schema: { type: 'string', enum: ['nosniff'] },
    example: 'nosniff',
  },
  Vary: {
    description: 'The answer depends on the Origin header (CORS)',
    required: false,
    schema: { type: 'string' },
    example: 'Origin',
  },
  'Access-Control-Allow-Origin': {
    description: 'On answers to a request from an allowed origin (CORS_ALLOWED_ORIGINS)',
    required: false,
    schema: { type: 'string' },
    example: '*',
  },
  'Access-Control-Expose-Headers': {
    description: 'The headers a page on an allowed origin may read',
    required: false,
    schema: { type: 'string' },
    example: 'X-Request-Id, X-Call-Id, Retry-After, X-Popgate-Data, X-Sandbox-Fault-Applied',
  },
  'X-Call-Id': {
    description: "The call's row in the call journal (GET /journal/v1/calls/{callId}); on every registry call's answer that reached the gateway's access layer",
    required: false,
    schema: { type: 'string', format: 'uuid' },
    example: '01938a1e-7c2a-7d4e-9b1f-3c5e8a0f2d41',
  },
  'X-Sandbox-Fault-Applied': {
    description: 'The simulated fault a registry call met (`kind; param=value`, or `latency; ms=N` for a delayed answer): see GET /sandbox/fault-kinds',
    required: false,
    schema: { type: 'string' },
    example: 'unavailable',
  },
  'Content-Disposition': {
    description: 'A CSV export is offered as a file',
    required: false,
    schema: { type: 'string' },
    example: 'attachment; filename="popgate-calls.csv"',
  },
  Location: {
    description: 'Where the created resource is read',
    required: true,
    schema: { type: 'string' },
    example: '/portal/v1/dossiers/0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b',
  },
  'Idempotent-Replayed': {
    description: '`true` when the request repeated an earlier one\'s Idempotency-Key and this answer is that request\'s dossier',
    required: true,
    schema: { type: 'string', enum: ['true', 'false'] },
    example: 'false',
  },
  'WWW-Authenticate': {
    description: 'How to authenticate: a browser that reads it asks for a user name and password (the admin key)',
    required: true,
    schema: { type: 'string' },
    example: 'Basic realm="popgate ops"',
  },
};

/** Routes whose answers carry personal data and are sent `Cache-Control: no-store` (see gateway-app.ts). */
export const PERSONAL_DATA_ROUTE = /^\/(registry\/v1\/(citizens|households|changes)|portal\/v1\/(dossiers|quality)|access|sandbox)(\/|$)/;
/** The purpose-bound registry routes: each call is journaled, its answer names the row in X-Call-Id. */
const JOURNALED_PATH = /^\/registry\/v1\/(citizens|households|changes)(\/|$)/;
/** What every answer carries, whatever the route. */
const EVERY_ANSWER: readonly ResponseHeader[] = ['X-Request-Id', 'X-Content-Type-Options', 'Vary', 'Access-Control-Allow-Origin', 'Access-Control-Expose-Headers'];

const headerRefs = (names: readonly ResponseHeader[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `errors` names each field and rule',
  401: 'Missing, malformed, unknown or revoked key',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state',
  410: 'Gone for good: `results_pruned` (a sync run older than SYNC_RESULTS_KEEP_RUNS keeps its counts, not its list)',
  413: 'Too large: `payload_too_large`',
  414: 'A path parameter is longer than 256 characters: `uri_too_long`',
  415: 'The body is not `application/json`: `unsupported_media_type`',
  429: 'Rate limit or daily quota reached: wait `Retry-After` seconds',
  500: 'The gateway failed: `internal_error`, without internals (the request id finds it in the logs)',
  503: 'PostgreSQL or Redis does not answer (`service_unavailable`): retry after `Retry-After` seconds',
};

const problemResponse = (status: number, headers: readonly ResponseHeader[] = []) => ({
  description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
  content: { 'application/problem+json': { schema: PROBLEM_REF } },
  ...(headers.length > 0 ? { headers: headerRefs(headers) } : {}),
});

/** Documents the problem+json answers an endpoint can give (besides the gateway-wide ones of completeDocument). */
export function ApiProblems(...statuses: number[]) {
  return ApiProblemsCarrying([], ...statuses);
}

/** The same, for problems that carry response headers besides X-Request-Id (and Retry-After, added to 429 and 503). */
export function ApiProblemsCarrying(headers: readonly ResponseHeader[], ...statuses: number[]) {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, ...problemResponse(status, headers) })));
}

/** A JSON request body documented from its zod schema, with a worked example. */
export function ApiZodBody(schema: z.ZodType, example: unknown, description?: string) {
  return ApiBody({ schema: { ...openApiSchema(schema), example } as SchemaObject, description });
}

/** Other representations of the same answer (content negotiation), by media type. */
type Alternatives = Record<string, { schema: Record<string, unknown>; example: unknown }>;

/**
 * A JSON response documented from its zod schema (as sent: defaults applied, every property present that always is),
 * with a worked example, the headers it carries besides X-Request-Id, and other media types of the same answer.
 */
export function ApiJsonResponse(
  status: number,
  description: string,
  schema: z.ZodType,
  example: unknown,
  options: { headers?: readonly ResponseHeader[]; alternatives?: Alternatives; io?: 'input' | 'output' } = {},
) {
  // `input`: for an answer that shows back a document as its owner wrote it (a fault profile), whose schema parses
  // with transforms that JSON Schema cannot show as output.
  const content = { 'application/json': { schema: openApiSchema(schema, options.io ?? 'output') as SchemaObject, example }, ...options.alternatives };
  return ApiResponse({ status, description, content, ...(options.headers ? { headers: headerRefs(options.headers) } : {}) });
}

/** One query parameter per property of a zod object schema: its type, whether it is required, an example. */
export function ApiZodQuery(schema: z.ZodType, examples: Record<string, unknown> = {}) {
  const json = openApiSchema(schema) as { properties?: Record<string, SchemaObject>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) => {
      const { description, ...propertySchema } = property;
      // @nestjs/swagger drops a parameter's own `example` when it has a schema, so the example goes in the schema.
      const example = examples[name] === undefined ? {} : { example: examples[name] };
      return ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: { ...propertySchema, ...example }, description });
    }),
  );
}

/** A path parameter documented from its zod schema. */
export function ApiZodParam(name: string, schema: z.ZodType, example: unknown, description?: string) {
  return ApiParam({ name, schema: { ...openApiSchema(schema), example } as SchemaObject, description });
}

/** Marks an operation that needs no key; completeDocument turns the mark into `security: []`. */
const PUBLIC_MARK = 'x-popgate-public';
export function ApiPublic() {
  return ApiExtension(PUBLIC_MARK, true);
}

/** Methods whose bodies Fastify parses before any handler: each can answer 400, 413 and 415 whatever the route. */
const BODY_METHODS = new Set(['post', 'put', 'delete', 'patch']);

/**
 * Adds to the document what the gateway does for every route (see gateway-app.ts and problem-details.filter.ts),
 * so that no controller has to repeat it: the server, the `Problem` schema, X-Request-Id on every answer (and
 * accepted on every request), Retry-After on every 429 and 503, a 500 on every operation, 400/414 where a path
 * parameter can be malformed or too long, 400/413/415 where a body is parsed, and `security: []` on the operations marked public.
 */
export function completeDocument(document: OpenAPIObject, serverUrl: string): OpenAPIObject {
  document.servers = [{ url: serverUrl, description: 'The gateway as `npm start` runs it (PORT)' }];
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: { ...openApiSchema(problemDocumentSchema, 'output'), example: PROBLEM_EXAMPLE } },
    headers: { ...document.components?.headers, ...RESPONSE_HEADERS },
    parameters: {
      ...document.components?.parameters,
      RequestId: {
        name: 'X-Request-Id',
        in: 'header',
        required: false,
        description: 'Your id for the call, echoed in X-Request-Id and recorded in the audit when it is 1-128 characters of A-Z a-z 0-9 . _ : - without a 12-digit run; otherwise a UUID replaces it',
        schema: { type: 'string', maxLength: 128 },
        example: 'client-7f3a9c',
      },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, SchemaObject][]) {
      if (operation[PUBLIC_MARK]) {
        operation.security = [];
        delete operation[PUBLIC_MARK];
      }
      operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/RequestId' }];
      const responses: Record<string, SchemaObject> = operation.responses;
      // The router refuses a path parameter that is too long (414) or not validly percent-encoded (400).
      const gatewayWide = [500, ...(path.includes('{') ? [400, 414] : []), ...(BODY_METHODS.has(method) ? [400, 413, 415] : [])];
      for (const status of gatewayWide) responses[status] ??= problemResponse(status);
      for (const [status, response] of Object.entries(responses)) {
        const problem = response.content?.['application/problem+json'] !== undefined;
        const headers: ResponseHeader[] = [
          ...EVERY_ANSWER,
          ...(status === '429' || status === '503' ? (['Retry-After'] as const) : []),
          ...(problem || PERSONAL_DATA_ROUTE.test(path) ? (['Cache-Control'] as const) : []),
          ...(JOURNALED_PATH.test(path) ? (['X-Call-Id', 'X-Sandbox-Fault-Applied'] as const) : []),
          // A registry handler's X-Popgate-Data stays on the answer when it fails inside the handler.
          ...(JOURNALED_PATH.test(path) && status === '500' && !response.headers?.['X-Popgate-Data'] ? (['X-Popgate-Data'] as const) : []),
        ];
        response.headers = { ...headerRefs(headers), ...response.headers };
      }
    }
  }
  return document;
}
