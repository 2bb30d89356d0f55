import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { AccessMetrics } from './access-metrics.js';
import { AddressLimits } from './address-limits.service.js';
import { AdminKey } from './admin-key.service.js';
import { AdminGuard, AnyKeyGuard, PortalGuard } from './admin.guard.js';
import { ManagerGuard, ReaderKeys } from './manager.guard.js';
import { CitizenHmac } from './citizen-hmac.js';
import { ConsumerDirectory } from './consumer-directory.service.js';
import { SystemConsumers } from './system-consumers.service.js';
import { ConsumerLimits } from './consumer-limits.service.js';
import { AuditQueryRepository } from './audit-query.repository.js';
import { AuditController } from './audit.controller.js';
import { ConsentsService } from './consents.service.js';
import { ConsumersController } from './consumers.controller.js';
import { ConsumersService } from './consumers.service.js';
import { AccessGate } from './access-gate.service.js';

/** Consumers, keys, purposes, consents and the audit: who may read what, and the record that they did. */
@Module({
  imports: [CatalogModule],
  controllers: [ConsumersController, AuditController],
  providers: [ConsumersService, ConsentsService, AuditQueryRepository, AdminKey, AdminGuard, AnyKeyGuard, PortalGuard, CitizenHmac, ConsumerDirectory, SystemConsumers, ConsumerLimits, AddressLimits, AccessGate, AccessMetrics, ReaderKeys, ManagerGuard],
  exports: [SystemConsumers, ConsumersService, ConsentsService, AdminKey, AdminGuard, AnyKeyGuard, PortalGuard, CitizenHmac, ConsumerDirectory, ConsumerLimits, AccessGate, CatalogModule, ReaderKeys, ManagerGuard],
})
export class AccessModule {}
