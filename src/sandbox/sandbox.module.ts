import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { ConsentsController } from './consents.controller.js';
import { SandboxController } from './sandbox.controller.js';
import { SandboxJobsProducer } from './sandbox-jobs.producer.js';

/**
 * The sandbox controls, apart from the registry's read API: personas, registry events, consents, and rebuilding the
 * dataset (a queued job). What they change in the registry they change through the registry's own services.
 */
@Module({
  imports: [AccessModule, QueueModule, RegistryModule],
  controllers: [SandboxController, ConsentsController],
  providers: [SandboxJobsProducer],
})
export class SandboxModule {}
