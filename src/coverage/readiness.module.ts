import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ConnectorsModule } from '../connectors/connectors.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { ReadinessController } from './readiness.controller.js';
import { ReadinessService } from './readiness.service.js';

/** Go-live readiness per developer: the scenario catalogue and the checklist judged over a consumer's journaled calls. */
@Module({
  imports: [AccessModule, ConnectorsModule, JournalModule],
  controllers: [ReadinessController],
  providers: [ReadinessService],
})
export class ReadinessModule {}
