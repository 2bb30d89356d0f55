import { Module } from '@nestjs/common';
import { ServiceCatalog } from './service-catalog.service.js';

/** The city portal stand-in: for now the public-service catalog. */
@Module({
  providers: [ServiceCatalog],
  exports: [ServiceCatalog],
})
export class PortalModule {}
