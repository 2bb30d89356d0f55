import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { createDataSource } from './data-source.js';
import { pgPoolOf, prepareDatabase } from './database-bootstrap.js';
import { PG_POOL } from './pg-pool.token.js';
import { SharedCommitWriter } from './shared-commit.writer.js';

export { PG_POOL };

/**
 * One DataSource per process. Its factory creates the database when missing and applies pending migrations, so the
 * API, the worker and the tests all start on the current schema.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** The database with the app's entities (src/entities.ts); a wiring that only runs SQL passes none. */
  static forRoot(options: { entities: NonNullable<DataSourceOptions['entities']> }): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => {
            const dataSource = createDataSource(config.databaseUrl, config.databasePoolSize, options.entities);
            await prepareDatabase(dataSource, config.databaseUrl);
            return dataSource;
          },
        },
        { provide: PG_POOL, inject: [DataSource], useFactory: (dataSource: DataSource) => pgPoolOf(dataSource) },
        SharedCommitWriter,
      ],
      exports: [DataSource, PG_POOL, SharedCommitWriter],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
