import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { JournalMaintenanceProcessor } from './journal-maintenance.processor.js';
import { JournalModule } from './journal.module.js';

/** The journal's queue processors; imported by worker.ts and, unless WORKERS_IN_API=false, by the API. */
@Module({
  imports: [QueueModule, JournalModule],
  providers: [JournalMaintenanceProcessor],
})
export class JournalWorkersModule {}
