import type { IncomingMessage } from 'node:http';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import fastifyCors from '@fastify/cors';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { loadConfig, type AppConfig } from './config/app-config.js';
import { completeDocument, PERSONAL_DATA_ROUTE } from './common/openapi.js';
import { ProblemDetailsFilter, answerClientError, sendProblem } from './common/problem-details.filter.js';
import { toProblem, type ProblemDocument } from './common/problem-details.js';
import { RefusalAudit } from './registry/refusal-audit.service.js';
import { acceptedRequestId } from './access/call-purpose.js';
import { receivedNow, RECEIVED_AT, type RequestWithAccess } from './access/call-record.js';
import { newTimeOrderedId } from './common/time-ordered-id.js';
import { NestPinoLogger } from './common/logger.js';
import { ForbiddenError } from './common/domain-error.js';
import { boardOpenApiPaths, BOARD_SECURITY_SCHEME } from './ops/bull-board.service.js';

/** Largest request body accepted: a full verify batch (1,000 items) fits with room to spare. */
export const BODY_LIMIT_BYTES = 1024 * 1024;


/**
 * Routes whose answers show citizens, keys or consents (PERSONAL_DATA_ROUTE: the registry's citizen, household and
 * changes reads, the portal's dossiers, /access and /sandbox): `Cache-Control: no-store`, so that neither the
 * browser nor a shared cache keeps them. Matched on the route the router chose, so an encoded spelling of the path
 * cannot dodge it. Problem answers are no-store wherever they come from (sendProblem).
 */

/** Request headers popgate reads, which a page on an allowed origin may send. */
const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Service-Code',
  'X-Dossier-Id',
  'X-Officer-Id',
  'X-Request-Id',
  'Idempotency-Key',
  'X-Sandbox-Session',
  'X-Sandbox-Fault',
];

/** Answer headers such a page may read (a browser shows it only the CORS-safelisted ones otherwise). */
const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'X-Call-Id', 'Retry-After', 'X-Popgate-Data', 'X-Sandbox-Fault-Applied'];

/** How long a browser may reuse a preflight answer: ten minutes (Chromium caps it at two hours). */
const CORS_MAX_AGE_SECONDS = 600;

/** Whether a page of `origin` may call popgate under the configured policy. */
function originAllowed(policy: AppConfig['cors'], origin: string): boolean {
  return policy.allowedOrigins === '*' || policy.allowedOrigins.includes(origin);
}

/**
 * One access-log line per request (method, masked URL, status, time) instead of Fastify's two: logging is a
 * measurable share of a look-up's cost (docs/BENCHMARKS.md).
 */
class SingleLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const entry = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...entry, err: error }, 'request errored');
    else reply.log.info(entry, 'request completed');
  }
}

/**
 * Builds the HTTP gateway on Fastify (twice Express's throughput on this stack, see docs/BENCHMARKS.md) with the
 * problem+json error mapping, request ids and the OpenAPI document. Shared by main.ts and the e2e tests.
 */
export async function createGatewayApp(logger: Logger, config: AppConfig = loadConfig()): Promise<NestFastifyApplication> {
  return createHttpApp(AppModule.forRoot({ workers: config.workersInApi }), logger, { auditRefusals: true, cors: config.cors, serverUrl: `http://localhost:${config.port}` });
}

/**
 * A Nest application of `rootModule` on the gateway's HTTP stack. The benchmark builds its reference app (the same
 * registry endpoints without the access layer) with it, so that both run on identical plumbing.
 */
export async function createHttpApp(
  rootModule: DynamicModule | Type,
  logger: Logger,
  options: { auditRefusals?: boolean; cors?: AppConfig['cors']; serverUrl?: string } = {},
): Promise<NestFastifyApplication> {
  const cors = options.cors ?? loadConfig().cors;
  const requestLog = new SingleLineRequestLog();
  /** Set once the app exists: what runs before a refusal is answered (journal and audit of refused registry calls). */
  const refusals: { beforeAnswer?: (request: FastifyRequest, reply: FastifyReply, problem: ProblemDocument) => Promise<void> } = {};
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: requestLog,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    // A generated id is a UUIDv7: time-ordered, so the journal's request-id index grows at its end instead of
    // touching a random page per call (which made a full-page image in the WAL of most commits).
    genReqId: (request: IncomingMessage) => acceptedRequestId(request.headers['x-request-id']) ?? newTimeOrderedId(),
    routerOptions: { maxParamLength: 256 },
    // Router errors (bad percent-encoding, overlong parameters) happen before Nest sees the request. Fastify gives
    // these answers no completion log of their own, so their access-log line is written when they finish.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      reply.raw.once('finish', () => requestLog.requestCompleted(null, request, reply));
      // A registry URL the router refused is still a registry call: journaled before the answer, as the filter does.
      const journal = refusals.beforeAnswer;
      if (!journal) return sendProblem(error, request, reply);
      journal(request, reply, toProblem(error).problem).then(
        () => sendProblem(error, request, reply),
        (failure: unknown) => sendProblem(failure, request, reply),
      );
    },
    // Requests Node's HTTP parser refuses (bad header bytes, headers over the limit) never reach the router.
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
    // Fastify's own JSON parser stays in charge: its errors carry stable codes (see problem-details.ts), and it
    // refuses __proto__ / constructor.prototype keys.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Every endpoint takes JSON; a text/plain body gets 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', async (request, reply) => {
    // The journal's "received at" and the start of each call's latency.
    (request as RequestWithAccess)[RECEIVED_AT] = receivedNow();
    reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
    if (PERSONAL_DATA_ROUTE.test(request.routeOptions.url ?? '')) reply.header('cache-control', 'no-store');
    const origin = request.headers.origin;
    const preflight = request.method === 'OPTIONS' && origin !== undefined && request.headers['access-control-request-method'] !== undefined;
    if (preflight && !originAllowed(cors, origin)) {
      // Answered here rather than left to @fastify/cors, which would let it fall through to a 404: the developer
      // sees why in the browser's network panel.
      sendProblem(
        new ForbiddenError('origin_not_allowed', 'Pages of this origin may not call popgate; an operator can add it to CORS_ALLOWED_ORIGINS.', [
          { field: 'header.Origin', rule: 'allowed_origin', message: 'must be one of the origins in CORS_ALLOWED_ORIGINS' },
        ]),
        request,
        reply,
      );
      return reply;
    }
  });
  // Registered here, after the hook above, rather than with app.enableCors(), whose hook Nest runs before every
  // other: a preflight answer then carries X-Request-Id and nosniff as every other answer does. popgate has no Nest
  // middleware, which is what enableCors' early hook is for. No credentials: keys travel in Authorization, never in
  // cookies, so there is nothing ambient for a foreign page to ride on.
  await app.register(fastifyCors, {
    origin: (origin: string | undefined, callback: (error: Error | null, allow: boolean | string) => void) => {
      if (origin === undefined) return callback(null, false);
      callback(null, cors.allowedOrigins === '*' ? '*' : originAllowed(cors, origin));
    },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
    credentials: false,
    // An OPTIONS request from an allowed origin without Access-Control-Request-Method gets the policy too, instead of
    // @fastify/cors' plain-text 400.
    strictPreflight: false,
  });
  refusals.beforeAnswer = options.auditRefusals ? refusalAuditOf(app) : undefined;
  app.useGlobalFilters(new ProblemDetailsFilter(refusals.beforeAnswer));
  app.enableShutdownHooks();
  setUpOpenApi(app, options.serverUrl ?? 'http://localhost:3000');
  return app;
}

/** Audits registry calls refused before the access gate saw them (RefusalAudit). */
function refusalAuditOf(app: NestFastifyApplication): (request: FastifyRequest, reply: FastifyReply, problem: ProblemDocument) => Promise<void> {
  const refusals = app.get(RefusalAudit, { strict: false });
  return (request, reply, problem) => refusals.recordIfUnaudited(request, reply, problem);
}

function setUpOpenApi(app: NestFastifyApplication, serverUrl: string): void {
  SwaggerModule.setup('docs', app, openApiDocument(app, serverUrl), { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}

/** The OpenAPI document the gateway serves at /docs/openapi.json (the e2e conformance check reads it too). */
export function openApiDocument(app: NestFastifyApplication, serverUrl: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('popgate')
    .setDescription(
      'Sandbox gateway for population-data integrations: a synthetic stand-in for Vietnam\'s National Population ' +
        'Database (registry), with verify, look-up and changes-feed APIs. Every citizen is synthetic. Errors are ' +
        'RFC 9457 problem documents (`application/problem+json`) with a stable `code` and per-field `errors`.',
    )
    .setVersion('0.1.0')
    // Not a JWT: an opaque key, looked up by its prefix and compared by its SHA-256 (src/access/api-key.ts).
    .addSecurity('bearer', {
      type: 'http',
      scheme: 'bearer',
      description:
        'An opaque API key: a consumer key (`pgk_` and 43 base64url characters, shown once when the consumer is created ' +
        'or its key rotated) for registry calls, or the admin key (ADMIN_API_KEY) for operator endpoints.',
    })
    .addSecurity('basic', BOARD_SECURITY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Bull Board's routes are a Fastify plugin's, which Nest's scanner does not see: its page is added by hand.
  return completeDocument({ ...document, paths: { ...document.paths, ...boardOpenApiPaths() } }, serverUrl);
}
