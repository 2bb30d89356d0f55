import { Global, Module } from '@nestjs/common';
import { PortalModule } from '../portal/portal.module.js';
import { AdminKey } from './admin-key.service.js';
import { AdminGuard, AnyKeyGuard } from './admin.guard.js';
import { CitizenHmac } from './citizen-hmac.js';
import { ConsumerDirectory } from './consumer-directory.service.js';
import { DeveloperConsumer } from './developer-consumer.service.js';
import { AuditWriter } from './audit-writer.service.js';
import { ConsumerLimits } from './consumer-limits.service.js';
import { AuditQueryRepository } from './audit-query.repository.js';
import { AuditController } from './audit.controller.js';
import { ConsentsService } from './consents.service.js';
import { ConsumersController } from './consumers.controller.js';
import { ConsumersService } from './consumers.service.js';
import { RegistryAccessInterceptor } from '../registry/registry-access.interceptor.js';
import { RefusalAudit } from '../registry/refusal-audit.service.js';

/** Consumers, keys, purposes, consents and the audit: who may read what, and the record that they did. */
@Global()
@Module({
  imports: [PortalModule],
  controllers: [ConsumersController, AuditController],
  providers: [ConsumersService, ConsentsService, AuditQueryRepository, AdminKey, AdminGuard, AnyKeyGuard, CitizenHmac, ConsumerDirectory, DeveloperConsumer, AuditWriter, ConsumerLimits, RegistryAccessInterceptor, RefusalAudit],
  exports: [ConsentsService, AdminKey, AdminGuard, AnyKeyGuard, CitizenHmac, ConsumerDirectory, AuditWriter, ConsumerLimits, RegistryAccessInterceptor, RefusalAudit, PortalModule],
})
export class AccessModule {}
