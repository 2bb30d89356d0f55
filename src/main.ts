import 'reflect-metadata';
import { loadConfig } from './config/app-config.js';
import { createLogger, logFormatFor } from './common/logger.js';
import { createDataSource } from './database/data-source.js';
import { pgPoolOf, prepareDatabase } from './database/database-bootstrap.js';
import { connectRedis } from './queue/redis-connection.js';
import { createGatewayApp } from './gateway-app.js';
import { RegistrySeeder } from './sandbox/seeding/registry-seeder.js';
import { exitOnStartupError } from './common/fatal-startup.js';

/**
 * HTTP entry. Before Nest starts, it checks Postgres (creating the database and applying migrations) and Redis, so
 * that a missing service gives one clear line naming the URL and how to start it, not a stack trace. Then it seeds
 * an empty registry and listens.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, {
    format: logFormatFor(process.stdout, config.nodeEnv),
    secrets: [config.access.adminApiKey, config.access.developerKey, config.portal.apiKey, config.metrics.token],
  });

  const dataSource = createDataSource(config.databaseUrl, 2);
  const migrations = await prepareDatabase(dataSource, config.databaseUrl);
  if (migrations.length > 0) logger.info({ migrations }, 'applied migrations');
  const redis = await connectRedis(config.redisUrl);
  redis.disconnect();

  if (config.sandbox.seedOnStart) {
    const referenceDate = new Date().toISOString().slice(0, 10);
    let lastReported = 0;
    const result = await new RegistrySeeder(pgPoolOf(dataSource)).seedIfEmpty({
      seed: config.sandbox.seed,
      citizens: config.sandbox.citizens,
      referenceDate,
      onProgress: (written, total) => {
        if (written - lastReported >= 50_000 || written === total) {
          lastReported = written;
          logger.info({ written, total }, 'seeding the sandbox registry');
        }
      },
    });
    if (result) logger.info(result, 'seeded the sandbox registry');
  }
  await dataSource.destroy();

  const app = await createGatewayApp(logger, config);
  await app.listen({ port: config.port, host: config.host });
  logger.info(`popgate listening on http://localhost:${config.port} (API docs: /docs)`);
}

main().catch(exitOnStartupError);
