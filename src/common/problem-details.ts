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

/**
 * Requests Node's HTTP parser refuses before Fastify builds a request (its `clientError` event), by Node's error
 * code; any other parser error (`HPE_INVALID_HEADER_TOKEN` for a control character in a header, `HPE_INVALID_METHOD`
 * for a request line that is not HTTP...) is a `malformed_request`. A URL longer than the header limit counts as a
 * header, so it gets 431 too.
 */
const CLIENT_ERRORS: Record<string, { status: number; code: string; title: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    title: 'The request headers are too large',
    detail: 'The request line and headers exceed the 16 KiB limit.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    title: 'The request took too long',
    detail: 'The request was not received in time; send it again.',
  },
};

const MALFORMED_REQUEST = {
  status: 400,
  code: 'malformed_request',
  title: 'The request is malformed',
  detail: 'The request is not valid HTTP/1.1 (for example a control character in a header value).',
};

/** The problem document for a request the HTTP parser refused, by the parser's error code. */
export function clientErrorProblem(errorCode: unknown): ProblemDocument {
  const known = (typeof errorCode === 'string' && CLIENT_ERRORS[errorCode]) || MALFORMED_REQUEST;
  return { type: problemType(known.code), title: known.title, status: known.status, detail: known.detail, code: known.code };
}

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

/** The backing services a 503 names. */
export const POSTGRES = 'registry database (PostgreSQL)';
export const REDIS = 'queue store (Redis)';
export type BackingService = typeof POSTGRES | typeof REDIS;

const RAISED_BY = Symbol('popgate.raisedBy');

/**
 * Marks `error` as raised by the connection to `service`. A socket error (ECONNREFUSED on connect, ECONNRESET of a
 * query in flight) carries only Node's own stack, nothing of the client whose socket failed; the database wiring
 * marks the errors of its sockets (data-source.ts) so that they are told from a socket error of anything else.
 */
export function markRaisedBy(error: unknown, service: BackingService): void {
  if (error !== null && typeof error === 'object' && !(RAISED_BY in error)) Object.defineProperty(error, RAISED_BY, { value: service });
}

/** Socket errors of a connection that could not be made or was lost. */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** PostgreSQL states that mean the server went away or refuses connections now (class 08, shutdown, overload). */
const POSTGRES_OUTAGE_STATES = /^(08|57P0[123]$|53300$)/;

/**
 * What node-postgres and pg-pool say when a connection is lost or cannot be had: the server closed the socket
 * (`Connection terminated unexpectedly`), the connect timed out (`... due to connection timeout`, pg-pool's
 * `timeout exceeded when trying to connect`), or a query was sent on a client whose connection had failed.
 */
const POSTGRES_LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)/;

/** How deep wrappers are unwrapped: TypeORM's QueryFailedError around a pg error, a `cause` or two. */
const MAX_WRAPPERS = 8;

/**
 * Which backing service an error says is unreachable (Postgres or Redis), or null for any other error. A restarted
 * database is an outage the client can wait out, so it gets 503 with Retry-After rather than a 500; the pools
 * reconnect by themselves once it is back. The error is looked at with what it wraps: TypeORM's `driverError`
 * (QueryFailedError), any `cause`, and the attempts of an AggregateError (a host with several addresses).
 */
export function backingServiceOutage(error: unknown): BackingService | null {
  const pending = [error];
  const seen = new Set<object>();
  while (pending.length > 0 && seen.size < MAX_WRAPPERS) {
    const candidate = pending.shift();
    if (candidate === null || typeof candidate !== 'object' || seen.has(candidate)) continue;
    seen.add(candidate);
    const outage = outageSaidBy(candidate);
    if (outage) return outage;
    const { driverError, cause, errors, name } = candidate as { driverError?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
    pending.push(driverError, cause, ...(name === 'AggregateError' && Array.isArray(errors) ? errors : []));
  }
  return null;
}

/** The outage one error (not what it wraps) names. */
function outageSaidBy(error: object): BackingService | null {
  const { code, name, message = '' } = error as { code?: unknown; name?: unknown; message?: string };
  if (name === 'MaxRetriesPerRequestError' || /^Connection is closed|Stream isn't writeable/.test(message)) return REDIS;
  if (typeof code === 'string' && POSTGRES_OUTAGE_STATES.test(code)) return POSTGRES;
  if (POSTGRES_LOST_CONNECTION.test(message)) return POSTGRES;
  // A bare socket error names no client: only one raised by pg or ioredis is an outage (a client that hangs up on its
  // own upload raises ECONNRESET too, and is answered as the 4xx it is before this is asked).
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return (error as { [RAISED_BY]?: BackingService })[RAISED_BY] ?? clientInStack(error);
  return null;
}

/**
 * The client whose code raised `error`, from its stack: the promise APIs of pg and pg-pool re-capture the stack of
 * the errors they reject with in their own frames (callbacks, as TypeORM's connect takes, get Node's bare error).
 */
function clientInStack(error: object): BackingService | null {
  const stack = String((error as { stack?: unknown }).stack ?? '');
  return /node_modules\/ioredis\//.test(stack) ? REDIS : /node_modules\/pg(-pool)?\//.test(stack) ? POSTGRES : null;
}
