import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from './domain-error.js';
import { redactCredentialsIn } from './logger.js';
import { PROBLEM_CONTENT_TYPE, clientErrorProblem, toProblem, type ProblemDocument } from './problem-details.js';
import { newTimeOrderedId } from './time-ordered-id.js';

/** What a client is told to wait when a backing service is down: a restart of Postgres or Redis takes seconds. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The one exception filter: every error becomes `application/problem+json`, including Fastify's own parser and
 * limit errors, which Nest's adapter routes here wrapped in an HttpException.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  /** `beforeAnswer` runs before each problem is sent (the gateway audits and journals refused registry calls there). */
  constructor(private readonly beforeAnswer?: (request: FastifyRequest, reply: FastifyReply, problem: ProblemDocument) => Promise<void>) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem } = toProblem(error);
    if (!this.beforeAnswer || problem.status >= 500) return sendProblem(error, request, reply);
    // When the work before the answer fails (the refusal could not be audited), that failure is the answer: no
    // refused call is answered unaudited, as no served one is.
    this.beforeAnswer(request, reply, problem)
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
  // A key sent in the query string is refused; the answer does not repeat it (clients and proxies log answers too).
  problem.instance = redactCredentialsIn(request.url);
  problem.requestId = String(request.id);
  // The router's refusals (bad percent-encoding, over-long parameters) are answered before any onRequest hook runs,
  // so the header that hook sets is set here too: every answer carries the id its body names.
  void reply.header('x-request-id', problem.requestId);
  // Problems name the URL (an ID number in a path, say) and are never worth keeping: no cache stores them.
  void reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/**
 * Fastify's `clientErrorHandler`: answers a request that Node's HTTP parser refused (a control character in a header,
 * headers over the size limit, a request line that is not HTTP) with a problem document instead of Fastify's own
 * JSON. There is no request object here, only the socket, so the answer is written raw and the connection closed
 * (the parser cannot find where the next request would start). The request id is a new UUID, logged with the
 * parser's error code; the error itself is not logged, since its `rawPacket` holds the request's headers, keys
 * included.
 */
export function answerClientError(this: { log: FastifyBaseLogger }, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection is gone; and as in Node's own handler, nothing is written into an answer already under way.
  const answerInFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || answerInFlight) {
    socket.destroy();
    return;
  }
  const problem: ProblemDocument = { ...clientErrorProblem(error.code), requestId: newTimeOrderedId() };
  this.log.info({ reqId: problem.requestId, parserError: error.code, statusCode: problem.status }, 'refused a request the HTTP parser could not read');
  const body = JSON.stringify(problem);
  const head = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${problem.requestId}`,
    'X-Content-Type-Options: nosniff',
    'Cache-Control: no-store',
    'Connection: close',
  ];
  // end() rather than write() and destroy(): the answer is flushed before the connection closes, so a client still
  // sending the rest of an oversized request reads the answer instead of a reset.
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
