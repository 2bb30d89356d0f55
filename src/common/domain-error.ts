import { z } from 'zod';

/** One broken rule of one input field, as listed in a problem document's `errors`. */
export const fieldErrorSchema = z.object({
  field: z.string().describe('Dotted path of the field in the request (`idNumber`, `items.3.dateOfBirth`, `query.fields`)'),
  rule: z.string().describe('Stable rule name (`required`, `length`, `province_code`, `unknown_field`...)'),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/**
 * The members some problems carry beyond RFC 9457's and popgate's own: the only ones a DomainError may add, so that
 * the OpenAPI problem schema (built from this) lists every member a client can meet.
 */
export const problemExtensionsSchema = z.object({
  consumerId: z.string().optional().describe('409 `consumer_exists`: the consumer that has this name (rotate its key if the first answer was lost)'),
  consentId: z.string().optional().describe("409 `consent_exists`: the live consent (revoke it to record another)"),
  refusedFields: z.array(z.string()).optional().describe("403 `fields_not_allowed`: the fields outside the service's allow-list"),
});
export type ProblemExtensions = z.infer<typeof problemExtensionsSchema>;

/**
 * Base of every expected failure. Services shared by HTTP and workers throw these, never HttpException; the problem
 * filter maps them to RFC 9457 documents. `code` is stable and documented; `status` is the HTTP status it maps to.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly title: string;
  readonly errors: FieldError[];
  /** Set when the refusal was already written to the access audit (so that it is not recorded twice). */
  audited = false;

  constructor(message: string, errors: FieldError[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.errors = errors;
  }
}

/** The request is malformed: one entry per broken rule. */
export class ValidationFailedError extends DomainError {
  readonly code = 'validation_failed';
  readonly status = 400;
  readonly title = 'The request is not valid';
}

/** The addressed resource does not exist. */
export class NotFoundError extends DomainError {
  readonly code: string;
  readonly status = 404;
  readonly title = 'Not found';

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The request is well formed but too large to serve (batch size, page size). */
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
  readonly status = 413;
  readonly title = 'The request is too large';
}

/** The request conflicts with the current state (for example a marriage of someone already married). */
export class ConflictError extends DomainError {
  readonly code: string;
  readonly status = 409;
  readonly title = 'The request conflicts with the current state';

  constructor(code: string, message: string, errors: FieldError[] = [], readonly extensions: ProblemExtensions = {}) {
    super(message, errors);
    this.code = code;
  }
}

/** What was asked for existed and is gone for good (a sync run's discrepancy list, past its retention). */
export class GoneError extends DomainError {
  readonly code: string;
  readonly status = 410;
  readonly title = 'Gone';

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A backing service (Postgres, Redis) is unreachable: the client may retry later. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'service_unavailable';
  readonly status = 503;
  readonly title = 'A backing service is unavailable';
}

/** No usable credentials: missing, malformed, unknown or revoked key. */
export class UnauthorizedError extends DomainError {
  readonly code: string;
  readonly status = 401;
  readonly title = 'Unauthorized';

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Authenticated, but not allowed: a service not granted, a field outside the allow-list, no consent, not admin. */
export class ForbiddenError extends DomainError {
  readonly code: string;
  readonly status = 403;
  readonly title = 'Forbidden';

  constructor(code: string, message: string, errors: FieldError[] = [], readonly extensions: ProblemExtensions = {}) {
    super(message, errors);
    this.code = code;
  }
}

/** Too many requests: a rate limit or the daily quota. `retryAfterSeconds` becomes the Retry-After header. */
export class RateLimitedError extends DomainError {
  readonly code: string;
  readonly status = 429;
  readonly title = 'Too many requests';

  constructor(code: string, message: string, readonly retryAfterSeconds: number) {
    super(message);
    this.code = code;
  }
}

/** Well formed, but it cannot be served as asked (an Idempotency-Key reused for another request). */
export class UnprocessableContentError extends DomainError {
  readonly code: string;
  readonly status = 422;
  readonly title = 'The request cannot be processed as sent';

  constructor(code: string, message: string, errors: FieldError[] = []) {
    super(message, errors);
    this.code = code;
  }
}
