import { Module, type DynamicModule } from '@nestjs/common';
import { AccessModule } from './access/access.module.js';
import { ConfigModule } from './config/config.module.js';
import { MetricsModule } from './common/metrics.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ENTITIES } from './entities.js';
import { OpsModule } from './ops/ops.module.js';
import { PortalModule } from './portal/portal.module.js';
import { PortalWorkersModule } from './portal/portal-workers.module.js';
import { QueueModule } from './queue/queue.module.js';
import { QueueWorkersModule } from './queue/queue-workers.module.js';
import { RedisModule } from './queue/redis.module.js';
import { JournalModule } from './journal/journal.module.js';
import { JournalWorkersModule } from './journal/journal-workers.module.js';
import { RegistryModule } from './registry/registry.module.js';
import { SandboxModule } from './sandbox/sandbox.module.js';
import { SandboxWorkersModule } from './sandbox/sandbox-workers.module.js';
import { ReadinessModule } from './coverage/readiness.module.js';
import { CoverageModule } from './coverage/coverage.module.js';
import { CoverageWorkersModule } from './coverage/coverage-workers.module.js';
import { DashboardModule } from './coverage/dashboard.module.js';

/** Which parts a process runs: the API serves HTTP; `workers` adds the queue processors (worker.ts, or the API). */
export interface AppModuleOptions {
  workers: boolean;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule,
        MetricsModule,
        DatabaseModule.forRoot({ entities: ENTITIES }),
        RedisModule,
        QueueModule,
        OpsModule,
        PortalModule,
        AccessModule,
        JournalModule,
        RegistryModule,
        SandboxModule,
        ReadinessModule,
        CoverageModule,
        DashboardModule,
        ...(options.workers ? [QueueWorkersModule, SandboxWorkersModule, JournalWorkersModule, PortalWorkersModule, CoverageWorkersModule] : []),
      ],
    };
  }
}
