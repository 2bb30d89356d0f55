import { Module, type OnModuleInit } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { CallJournal } from '../journal/call-journal.service.js';
import { JournalModule } from '../journal/journal.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { personaKeyOf } from './population/personas.js';
import { ConsentsController } from './consents.controller.js';
import { DevelopersController } from './developers.controller.js';
import { SandboxController } from './sandbox.controller.js';
import { SandboxJobsProducer } from './sandbox-jobs.producer.js';

/**
 * The sandbox controls, apart from the registry's read API: personas, registry events, consents, developers'
 * self-service registration, and rebuilding the dataset (a queued job). What they change in the registry they change through the registry's own services.
 */
@Module({
  imports: [AccessModule, QueueModule, RegistryModule, JournalModule],
  controllers: [SandboxController, ConsentsController, DevelopersController],
  providers: [SandboxJobsProducer],
})
export class SandboxModule implements OnModuleInit {
  constructor(private readonly journal: CallJournal) {}

  /** The journal names the persona a call was about; the personas are the sandbox's. */
  onModuleInit(): void {
    this.journal.usePersonaKeys(personaKeyOf);
  }
}
