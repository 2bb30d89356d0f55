import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ConnectorsModule } from '../connectors/connectors.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { OutboxReconciler } from './outbox-reconciler.service.js';
import { PortalModule } from './portal.module.js';
import { VerificationProcessor } from './verification.processor.js';
import { PortalRecordsProcessor } from './portal-records.processor.js';
import { RecordsFollowerProcessor } from './records-follower.processor.js';
import { SyncBatchProcessor } from './sync-batch.processor.js';
import { SyncReconciler } from './sync-reconciler.service.js';

/** The portal's queue processors, the outbox reconciler and the changes follower of portal records; imported by worker.ts and, unless WORKERS_IN_API=false, by the API. */
@Module({
  imports: [QueueModule, AccessModule, ConnectorsModule, RegistryModule, PortalModule],
  providers: [VerificationProcessor, OutboxReconciler, PortalRecordsProcessor, RecordsFollowerProcessor, SyncBatchProcessor, SyncReconciler],
})
export class PortalWorkersModule {}
