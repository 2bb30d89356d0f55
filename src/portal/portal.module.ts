import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { RedisModule } from '../queue/redis.module.js';
import { DossierRepository } from './dossier.repository.js';
import { DossiersController } from './dossiers.controller.js';
import { DossiersService } from './dossiers.service.js';
import { PublicServicesController } from './public-services.controller.js';
import { VerificationProducer } from './verification.producer.js';
import { PortalMetrics } from './portal-metrics.js';
import { MetricsModule } from '../common/metrics.module.js';

/** The city portal stand-in: the public-service catalog's API, and citizens' dossiers with their verification. */
@Module({
  imports: [CatalogModule, AccessModule, QueueModule, RedisModule, MetricsModule],
  controllers: [PublicServicesController, DossiersController],
  providers: [DossierRepository, DossiersService, VerificationProducer, PortalMetrics],
  exports: [DossierRepository, DossiersService, VerificationProducer, PortalMetrics],
})
export class PortalModule {}
