import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { loadConfig, type AppConfig } from './config/app-config.js';
import { completeDocument } from './common/openapi.js';
import { ProblemDetailsFilter, sendProblem } from './common/problem-details.filter.js';
import type { ProblemDocument } from './common/problem-details.js';
import { RefusalAudit } from './registry/refusal-audit.service.js';
import { acceptedRequestId } from './access/call-purpose.js';
import { NestPinoLogger } from './common/logger.js';

/** Largest request body accepted: a full verify batch (1,000 items) fits with room to spare. */
export const BODY_LIMIT_BYTES = 1024 * 1024;


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
  return createHttpApp(AppModule.forRoot({ workers: config.workersInApi }), logger, { auditRefusals: true, serverUrl: `http://localhost:${config.port}` });
}

/**
 * A Nest application of `rootModule` on the gateway's HTTP stack. The benchmark builds its reference app (the same
 * registry endpoints without the access layer) with it, so that both run on identical plumbing.
 */
export async function createHttpApp(
  rootModule: DynamicModule | Type,
  logger: Logger,
  options: { auditRefusals: boolean; serverUrl?: string } = { auditRefusals: false },
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new SingleLineRequestLog(),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => acceptedRequestId(request.headers['x-request-id']) ?? randomUUID(),
    routerOptions: { maxParamLength: 256 },
    // Router errors (bad percent-encoding, overlong parameters) happen before Nest sees the request.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(error, request, reply),
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
    reply.header('x-request-id', request.id);
  });
  app.useGlobalFilters(new ProblemDetailsFilter(options.auditRefusals ? refusalAuditOf(app) : undefined));
  app.enableShutdownHooks();
  setUpOpenApi(app, options.serverUrl ?? 'http://localhost:3000');
  return app;
}

/** Audits registry calls refused before the access gate saw them (RefusalAudit). */
function refusalAuditOf(app: NestFastifyApplication): (request: FastifyRequest, problem: ProblemDocument) => Promise<void> {
  const refusals = app.get(RefusalAudit, { strict: false });
  return (request, problem) => refusals.recordIfUnaudited(request, problem.code);
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
    .build();
  return completeDocument(SwaggerModule.createDocument(app, config), serverUrl);
}
