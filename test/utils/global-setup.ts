import './test-env.js';
import 'reflect-metadata';
import { loadConfig } from '../../src/config/app-config.js';
import { createDataSource } from '../../src/database/data-source.js';
import { prepareDatabase } from '../../src/database/database-bootstrap.js';

/** Creates the test database and runs the real migrations once, as the app does on start (never `synchronize`). */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  const dataSource = createDataSource(config.databaseUrl, 1);
  await prepareDatabase(dataSource, config.databaseUrl);
  await dataSource.destroy();
}
