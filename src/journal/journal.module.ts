import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { CallJournal } from './call-journal.service.js';
import { JournalMaintenanceProducer } from './journal-maintenance.producer.js';
import { JournalMetrics } from './journal-metrics.js';
import { JournalPartitions } from './journal-partitions.service.js';
import { JournalController } from './journal.controller.js';
import { JournalRepository } from './journal.repository.js';

/** The call journal: committing each call once, its day partitions and retention, and search. */
@Module({
  imports: [AccessModule, QueueModule],
  controllers: [JournalController],
  providers: [CallJournal, JournalMetrics, JournalPartitions, JournalRepository, JournalMaintenanceProducer],
  exports: [CallJournal, JournalPartitions, JournalRepository],
})
export class JournalModule {}
