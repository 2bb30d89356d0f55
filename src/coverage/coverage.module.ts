import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ConnectorsModule } from '../connectors/connectors.module.js';
import { PortalModule } from '../portal/portal.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { CoverageJobsProducer } from './coverage-jobs.producer.js';
import { CoverageMetrics } from './coverage-metrics.js';
import { CoverageSeriesService } from './coverage-series.service.js';
import { CoverageStageRepository } from './coverage-stage.repository.js';
import { DossierRollupRepository } from './dossier-rollup.repository.js';
import { DossierRollupService } from './dossier-rollup.service.js';
import { CoverageController } from './coverage.controller.js';
import { CoverageService } from './coverage.service.js';
import { RollupRepository } from './rollup.repository.js';
import { RollupService } from './rollup.service.js';

/** Integration coverage per public service: the journal's rollups and the figures read from them. */
@Module({
  imports: [QueueModule, AccessModule, ConnectorsModule, PortalModule],
  controllers: [CoverageController],
  providers: [RollupRepository, RollupService, DossierRollupRepository, DossierRollupService, CoverageJobsProducer, CoverageStageRepository, CoverageService, CoverageMetrics, CoverageSeriesService],
  exports: [RollupRepository, RollupService, DossierRollupService, CoverageService],
})
export class CoverageModule {}
