import type { INestApplicationContext } from '@nestjs/common';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { NotFoundError } from '../common/domain-error.js';
import { MetricsRegistry } from '../common/metrics.module.js';
import { answerClientError, sendProblem } from '../common/problem-details.filter.js';
import { newTimeOrderedId } from '../common/time-ordered-id.js';
import { MetricsScrapeGuard } from './metrics-scrape.guard.js';

/**
 * A worker's metrics-only HTTP listener: GET /ops/metrics of the worker's own registry (its queue processors'
 * counters live in its process, not in the API's), behind the same MetricsScrapeGuard as the API's endpoint, so
 * that Prometheus scrapes every worker replica as it scrapes every API replica. Nothing else is served: any other
 * path is a 404 problem. A plain Fastify instance rather than a Nest HTTP app, whose router would expose every
 * controller of the worker's modules.
 */
export async function startMetricsListener(app: INestApplicationContext, logger: Logger, address: { port: number; host: string }): Promise<MetricsListener> {
  const metrics = app.get(MetricsRegistry);
  const guard = app.get(MetricsScrapeGuard);
  const server = Fastify({
    loggerInstance: logger.child({ listener: 'metrics' }),
    requestIdHeader: false,
    genReqId: () => newTimeOrderedId(),
    clientErrorHandler: answerClientError,
    // A scrape is one short GET; nothing waits on a slow client.
    requestTimeout: 10_000,
  });
  server.get('/ops/metrics', async (request, reply) => {
    await guard.authorize(request.headers.authorization);
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });
  server.setNotFoundHandler((request, reply) => {
    sendProblem(new NotFoundError('route_not_found', 'A worker serves GET /ops/metrics only.'), request, reply);
  });
  server.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  await server.listen(address);
  return { port: (server.server.address() as AddressInfo).port, close: () => server.close() };
}

/** A started metrics listener: the port it took (METRICS_PORT=0 takes a free one), and how to stop it. */
export interface MetricsListener {
  readonly port: number;
  close(): Promise<void>;
}
