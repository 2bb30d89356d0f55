import { Module } from '@nestjs/common';
import { RegistryController } from './registry.controller.js';
import { RegistryEventsService } from './registry-events.service.js';
import { RegistryRepository } from './registry.repository.js';
import { RegistryAccessRepository } from './registry-access.repository.js';
import { CitizenReads } from './citizen-reads.js';
import { RegistryService } from './registry.service.js';
import { SandboxController } from './sandbox.controller.js';
import { SandboxJobsProducer } from './sandbox-jobs.producer.js';
import { QueueModule } from '../queue/queue.module.js';

@Module({
  imports: [QueueModule],
  controllers: [RegistryController, SandboxController],
  providers: [RegistryRepository, CitizenReads, RegistryAccessRepository, RegistryService, RegistryEventsService, SandboxJobsProducer],
  exports: [RegistryService],
})
export class RegistryModule {}
