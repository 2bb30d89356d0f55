import 'reflect-metadata';
import { loadConfig } from '../config/app-config.js';
import { createDataSource } from './data-source.js';
import { prepareDatabase } from './database-bootstrap.js';
import { exitOnStartupError } from '../common/fatal-startup.js';

/** `npm run migrate`: creates the database when missing and applies pending migrations, nothing else. */
async function migrate(): Promise<void> {
  const config = loadConfig();
  const dataSource = createDataSource(config.databaseUrl, 1);
  const applied = await prepareDatabase(dataSource, config.databaseUrl);
  await dataSource.destroy();
  process.stdout.write(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'schema is up to date\n');
}

migrate().catch(exitOnStartupError);
