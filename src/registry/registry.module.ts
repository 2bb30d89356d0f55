import { Module } from '@nestjs/common';
import { RegistryController } from './registry.controller.js';
import { RegistryEventsService } from './registry-events.service.js';
import { RegistryRepository } from './registry.repository.js';
import { RegistryAccessRepository } from './registry-access.repository.js';
import { CitizenReads } from './citizen-reads.js';
import { RegistryService } from './registry.service.js';

/**
 * The National Population Database stand-in: its read API (look-up, verify, households, changes feed) behind the
 * access gate, and its write side (RegistryEventsService), which the sandbox controls call.
 */
@Module({
  controllers: [RegistryController],
  providers: [RegistryRepository, CitizenReads, RegistryAccessRepository, RegistryService, RegistryEventsService],
  exports: [RegistryService, RegistryRepository, RegistryEventsService],
})
export class RegistryModule {}
