import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { ConnectorsModule } from '../connectors/connectors.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { RedisModule } from '../queue/redis.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { DossierGenerator } from './dossier-generator.js';
import { DossierGeneratorController } from './dossier-generator.controller.js';
import { DossierQualityController } from './dossier-quality.controller.js';
import { DossierQualityRepository } from './dossier-quality.repository.js';
import { DossierQualityService } from './dossier-quality.service.js';
import { DossierRepository } from './dossier.repository.js';
import { DossiersController } from './dossiers.controller.js';
import { DossiersService } from './dossiers.service.js';
import { PublicServicesController } from './public-services.controller.js';
import { VerificationProducer } from './verification.producer.js';
import { PortalMetrics } from './portal-metrics.js';
import { MetricsModule } from '../common/metrics.module.js';
import { PortalRecordGenerator } from './portal-record-generator.js';
import { PortalRecordGeneratorController } from './portal-record-generator.controller.js';
import { PortalRecordRepository } from './portal-record.repository.js';
import { PortalRecordsProducer } from './portal-records.producer.js';
import { PortalRecordsController } from './portal-records.controller.js';
import { PortalRecordsService } from './portal-records.service.js';
import { RecordsFollowerMetrics } from './records-follower-metrics.js';
import { RecordsFollowerRepository } from './records-follower.repository.js';
import { RecordsFollowerService } from './records-follower.service.js';
import { SyncRunProducer } from './sync-run.producer.js';
import { SyncRunRepository } from './sync-run.repository.js';
import { SyncRunsController } from './sync-runs.controller.js';
import { SyncRunsService } from './sync-runs.service.js';
import { SyncSchedules } from './sync-schedules.service.js';

/**
 * The city portal stand-in: the public-service catalog's API, citizens' dossiers with their verification, and the
 * sandbox's generated dossiers with the quality of their verification (the registry is read through its repository).
 */
@Module({
  imports: [CatalogModule, AccessModule, QueueModule, RedisModule, ConnectorsModule, RegistryModule, MetricsModule],
  controllers: [
    PublicServicesController, DossiersController, DossierGeneratorController, DossierQualityController, PortalRecordGeneratorController, PortalRecordsController,
    SyncRunsController,
  ],
  providers: [
    DossierRepository, DossiersService, VerificationProducer, PortalMetrics, DossierGenerator, DossierQualityRepository, DossierQualityService,
    PortalRecordRepository, PortalRecordGenerator, PortalRecordsProducer, PortalRecordsService,
    RecordsFollowerRepository, RecordsFollowerService, RecordsFollowerMetrics,
    SyncRunRepository, SyncRunProducer, SyncRunsService, SyncSchedules,
  ],
  exports: [
    DossierRepository, DossiersService, VerificationProducer, PortalMetrics, PortalRecordRepository, PortalRecordGenerator, RecordsFollowerService,
    SyncRunRepository, SyncRunProducer, SyncSchedules, SyncRunsService,
  ],
})
export class PortalModule {}
