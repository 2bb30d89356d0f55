import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { loadConfig } from './config/app-config.js';
import { createLogger, logFormatFor, NestPinoLogger } from './common/logger.js';
import { createDataSource } from './database/data-source.js';
import { prepareDatabase } from './database/database-bootstrap.js';
import { connectRedis } from './queue/redis-connection.js';
import { exitOnStartupError } from './common/fatal-startup.js';
import { startMetricsListener } from './ops/metrics-listener.js';

/**
 * Worker entry: the same modules as the API with the queue processors and no API listener (only, with METRICS_PORT,
 * a metrics-only one for Prometheus). Run as many as you like; on SIGTERM Nest closes the BullMQ workers (letting
 * the active job finish) before their connections.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, {
    format: logFormatFor(process.stdout, config.nodeEnv),
    secrets: [config.access.adminApiKey, config.access.developerKey, config.portal.apiKey, config.metrics.token],
  });
  const dataSource = createDataSource(config.databaseUrl, 1);
  await prepareDatabase(dataSource, config.databaseUrl);
  await dataSource.destroy();
  (await connectRedis(config.redisUrl)).disconnect();

  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ workers: true }), {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  // Off unless METRICS_PORT is set: several workers on one host (`npm run worker` twice) would fight for a fixed port.
  const metricsListener =
    config.metrics.workerPort === undefined ? undefined : await startMetricsListener(app, logger, { port: config.metrics.workerPort, host: config.host });
  if (metricsListener) logger.info(`popgate worker metrics on port ${metricsListener.port} (GET /ops/metrics)`);
  // SIGTERM (and Ctrl-C): stop taking jobs, let the active ones finish within WORKER_GRACE_MS, close the queues after
  // the workers (Nest's shutdown order), then exit 0. Nest's own shutdown hooks would re-raise the signal instead.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info(`popgate worker stopping (${signal})`);
      // The listener first: a scrape during shutdown would read a registry whose collectors are closing.
      Promise.resolve(metricsListener?.close())
        .then(() => app.close())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error(`popgate worker did not stop cleanly: ${(error as Error).message}`);
            process.exit(1);
          },
        );
    });
  }
  logger.info('popgate worker started');
}

main().catch(exitOnStartupError);
