import { Global, Module } from '@nestjs/common';
import { PortalModule } from '../portal/portal.module.js';
import { AdminKey } from './admin-key.service.js';
import { AdminGuard } from './admin.guard.js';
import { CitizenHmac } from './citizen-hmac.js';
import { ConsumerDirectory } from './consumer-directory.service.js';
import { DeveloperConsumer } from './developer-consumer.service.js';

/** Consumers, keys, purposes, consents and the audit: who may read what, and the record that they did. */
@Global()
@Module({
  imports: [PortalModule],
  providers: [AdminKey, AdminGuard, CitizenHmac, ConsumerDirectory, DeveloperConsumer],
  exports: [AdminKey, AdminGuard, CitizenHmac, ConsumerDirectory],
})
export class AccessModule {}
