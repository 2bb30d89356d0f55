import { Module } from '@nestjs/common';
import { ServiceCatalog } from './service-catalog.service.js';

/** The public-service catalog and its allow-lists: below access, which checks every call's purpose against it. */
@Module({
  providers: [ServiceCatalog],
  exports: [ServiceCatalog],
})
export class CatalogModule {}
