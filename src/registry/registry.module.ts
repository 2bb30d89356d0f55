import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ConnectorsModule } from '../connectors/connectors.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { RegistryController } from './registry.controller.js';
import { RegistryEventsService } from './registry-events.service.js';
import { RegistryRepository } from './registry.repository.js';
import { RegistryAccessRepository } from './registry-access.repository.js';
import { CitizenReads } from './citizen-reads.js';
import { RegistryService } from './registry.service.js';
import { RegistryHttpCalls } from './registry-http-calls.js';
import { RefusalAudit } from './refusal-audit.service.js';
import { CallPipeline } from './call-pipeline.service.js';
import { RegistryCalls } from './registry-calls.service.js';

/**
 * The National Population Database stand-in: its read API (look-up, verify, households, changes feed) behind the
 * access gate, and its write side (RegistryEventsService), which the sandbox controls call.
 */
@Module({
  imports: [AccessModule, ConnectorsModule, JournalModule],
  controllers: [RegistryController],
  providers: [CallPipeline, RegistryCalls, RegistryHttpCalls, RefusalAudit, RegistryRepository, CitizenReads, RegistryAccessRepository, RegistryService, RegistryEventsService],
  exports: [RegistryCalls, RefusalAudit, RegistryService, RegistryRepository, RegistryEventsService],
})
export class RegistryModule {}
