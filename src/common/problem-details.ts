import { HttpException } from '@nestjs/common';
import { z } from 'zod';
import { DomainError, fieldErrorSchema, problemExtensionsSchema, ServiceUnavailableError } from './domain-error.js';

/** One backing service's state in a health answer (terminus's indicator shape). */
export const indicatorSchema = z.object({ status: z.enum(['up', 'down']), message: z.string().optional().describe('Why the check failed') });

/** The states of the backing services a health check or a readiness problem reports. */
export const backingServiceChecksSchema = z.object({ postgres: indicatorSchema.optional(), redis: indicatorSchema.optional() });

/**
 * RFC 9457 problem document, with popgate's stable `code` and per-field `errors`, as sent: the filter always adds
 * `instance` and `requestId`. The OpenAPI document's `Problem` schema is this.
 */
export const problemDocumentSchema = z
  .object({
    type: z.string().describe('`urn:popgate:problem:<code>`'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable code, listed in the README'),
    instance: z.string().describe('The path and query of the request'),
    requestId: z.string().describe('The X-Request-Id of the answer'),
    errors: z.array(fieldErrorSchema).optional().describe('Every broken rule (validation_failed lists them all)'),
    checks: backingServiceChecksSchema.optional().describe("503 `not_ready`: each backing service's state"),
  })
  .extend(problemExtensionsSchema.shape);

/** A problem document before the filter adds the request's `instance` and `requestId`. */
export type ProblemDocument = Omit<z.infer<typeof problemDocumentSchema>, 'instance' | 'requestId'> & { instance?: string; requestId?: string };

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Problem types are URNs so that they are stable identifiers; each code is described in the README. */
export function problemType(code: string): string {
  return `urn:popgate:problem:${code}`;
}

/**
 * Errors Fastify raises before a request reaches Nest (body parsing, limits). Their codes are Fastify's stable
 * `FST_ERR_*` names; each maps to a problem code of ours so that clients never see Fastify's own error shape.
 */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; title: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    title: 'The request is too large',
    detail: 'The request body exceeds the size limit.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    title: 'Unsupported media type',
    detail: 'Send the body as application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    title: 'The body is not valid JSON',
    detail: 'The body is empty although Content-Type is application/json.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', title: 'The body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'malformed_request',
    title: 'The request is malformed',
    detail: 'Content-Length does not match the body.',
  },
  FST_ERR_BAD_URL: { status: 400, code: 'malformed_url', title: 'The URL is malformed', detail: 'The URL is not validly percent-encoded.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', title: 'The URL is too long', detail: 'A path parameter is longer than 256 characters.' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'malformed_request', title: 'The request is malformed' },
};

const HTTP_CODES: Record<number, { code: string; title: string }> = {
  400: { code: 'bad_request', title: 'Bad request' },
  401: { code: 'unauthorized', title: 'Unauthorized' },
  403: { code: 'forbidden', title: 'Forbidden' },
  404: { code: 'route_not_found', title: 'Not found' },
  405: { code: 'method_not_allowed', title: 'Method not allowed' },
  406: { code: 'not_acceptable', title: 'Not acceptable' },
  413: { code: 'payload_too_large', title: 'The request is too large' },
  415: { code: 'unsupported_media_type', title: 'Unsupported media type' },
  429: { code: 'rate_limited', title: 'Too many requests' },
};

/**
 * Turns anything thrown into a problem document. Domain errors and known client errors keep their message; anything
 * else becomes a bare 500 whose detail says nothing about the internals (the log has the stack).
 */
export function toProblem(error: unknown): { problem: ProblemDocument; expected: boolean } {
  if (error instanceof DomainError) {
    return {
      expected: true,
      problem: {
        type: problemType(error.code),
        title: error.title,
        status: error.status,
        detail: error.message,
        code: error.code,
        ...(error.errors.length > 0 ? { errors: error.errors } : {}),
        ...((error as { extensions?: Record<string, unknown> }).extensions ?? {}),
      },
    };
  }
  // Nest wraps Fastify's parser errors in an HttpException whose `cause` keeps the FST_ERR_* code.
  const fastifyCode = (error as { code?: unknown } | null)?.code ?? ((error as { cause?: { code?: unknown } } | null)?.cause?.code);
  if (typeof fastifyCode === 'string' && FASTIFY_ERRORS[fastifyCode]) {
    const known = FASTIFY_ERRORS[fastifyCode];
    return {
      expected: true,
      problem: {
        type: problemType(known.code),
        title: known.title,
        status: known.status,
        detail: known.detail ?? (error as Error).message,
        code: known.code,
      },
    };
  }
  // Compared by name: JSON.parse may throw a SyntaxError of another realm (Jest's VM), failing instanceof.
  if ((error as Error | null)?.name === 'SyntaxError' && (error as { statusCode?: number }).statusCode === 400) {
    return {
      expected: true,
      problem: {
        type: problemType('malformed_json'),
        title: 'The body is not valid JSON',
        status: 400,
        detail: (error as Error).message,
        code: 'malformed_json',
      },
    };
  }
  if (error instanceof HttpException && error.getStatus() === 503) {
    // Terminus reports an unready service this way; its per-check details help an operator, so they are kept.
    const response = error.getResponse() as { details?: unknown };
    return {
      expected: true,
      problem: {
        type: problemType('not_ready'),
        title: 'A backing service is unavailable',
        status: 503,
        detail: 'At least one backing service does not answer; see checks.',
        code: 'not_ready',
        ...(response && typeof response === 'object' && response.details ? { checks: response.details as z.infer<typeof backingServiceChecksSchema> } : {}),
      },
    };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    const known = HTTP_CODES[status] ?? { code: 'client_error', title: 'Client error' };
    return {
      expected: true,
      problem: { type: problemType(known.code), title: known.title, status, detail: error.message, code: known.code },
    };
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known = HTTP_CODES[status] ?? { code: 'client_error', title: 'Client error' };
    return {
      expected: true,
      problem: {
        type: problemType(known.code),
        title: known.title,
        status,
        detail: (error as Error).message ?? known.title,
        code: known.code,
      },
    };
  }
  const outage = backingServiceOutage(error);
  if (outage) {
    return toProblem(
      new ServiceUnavailableError(
        `The ${outage} does not answer; retry shortly. A change this request was making may or may not have been applied: look before repeating it.`,
      ),
    );
  }
  return {
    expected: false,
    problem: {
      type: problemType('internal_error'),
      title: 'Internal error',
      status: 500,
      detail: 'The gateway failed to handle this request. The request id identifies it in the logs.',
      code: 'internal_error',
    },
  };
}

/** Socket errors of a connection that could not be made or was lost. */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** PostgreSQL states that mean the server went away or refuses connections now (class 08, shutdown, overload). */
const POSTGRES_OUTAGE_STATES = /^(08|57P0[123]$|53300$)/;

/**
 * Which backing service an error says is unreachable (Postgres or Redis), or null for any other error. A restarted
 * database is an outage the client can wait out, so it gets 503 with Retry-After rather than a 500; the pools
 * reconnect by themselves once it is back.
 */
export function backingServiceOutage(error: unknown): string | null {
  if (error === null || typeof error !== 'object') return null;
  const { code, name, message = '' } = error as { code?: unknown; name?: unknown; message?: string };
  const stack = String((error as { stack?: unknown }).stack ?? '');
  const where = /node_modules\/ioredis\//.test(stack) ? 'queue store (Redis)' : /node_modules\/pg(-pool)?\//.test(stack) ? 'registry database (PostgreSQL)' : null;
  if (name === 'MaxRetriesPerRequestError' || /^Connection is closed|Stream isn't writeable/.test(message)) return 'queue store (Redis)';
  if (typeof code === 'string' && POSTGRES_OUTAGE_STATES.test(code)) return 'registry database (PostgreSQL)';
  if (/^Connection terminated|timeout exceeded when trying to connect/.test(message)) return 'registry database (PostgreSQL)';
  // A bare socket error names no client: only one raised inside pg or ioredis is an outage (a client that hangs up
  // on its own upload raises ECONNRESET too, and is answered as the 4xx it is before this is asked).
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code) && where) return where;
  return null;
}
