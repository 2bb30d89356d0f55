import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from './domain-error.js';
import { PROBLEM_CONTENT_TYPE, toProblem, type ProblemDocument } from './problem-details.js';

/** What a client is told to wait when a backing service is down: a restart of Postgres or Redis takes seconds. */
const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The one exception filter: every error becomes `application/problem+json`, including Fastify's own parser and
 * limit errors, which Nest's adapter routes here wrapped in an HttpException.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  /** `beforeAnswer` runs before each problem is sent (the gateway audits refused registry calls there). */
  constructor(private readonly beforeAnswer?: (request: FastifyRequest, problem: ProblemDocument) => Promise<void>) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem } = toProblem(error);
    if (!this.beforeAnswer || problem.status >= 500) return sendProblem(error, request, reply);
    // When the work before the answer fails (the refusal could not be audited), that failure is the answer: no
    // refused call is answered unaudited, as no served one is.
    this.beforeAnswer(request, problem)
      .then(
        () => sendProblem(error, request, reply),
        (failure: unknown) => sendProblem(failure, request, reply),
      )
      .catch((failure: unknown) => request.log.error({ err: failure }, 'could not answer a problem'));
  }
}

/** Writes the problem document for `error`; unexpected errors are logged with their stack, expected ones are not. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, expected } = toProblem(error);
  if (!expected) request.log.error({ err: error }, 'unhandled error');
  else if (problem.code === 'service_unavailable') request.log.warn({ err: error }, 'backing service unavailable');
  if (error instanceof RateLimitedError) void reply.header('retry-after', String(error.retryAfterSeconds));
  if (problem.status === 503) void reply.header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
  problem.instance = request.url;
  problem.requestId = String(request.id);
  // The router's refusals (bad percent-encoding, over-long parameters) are answered before any onRequest hook runs,
  // so the header that hook sets is set here too: every answer carries the id its body names.
  void reply.header('x-request-id', problem.requestId);
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
