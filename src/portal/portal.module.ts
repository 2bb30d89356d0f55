import { Module } from '@nestjs/common';
import { PublicServicesController } from './public-services.controller.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';

/**
 * The city portal stand-in: for now the public-service catalog and its API. The API's AdminGuard comes from the
 * global AccessModule (which imports this module for the catalog, so importing it back would be a cycle).
 */
@Module({
  controllers: [PublicServicesController],
  providers: [ServiceCatalog],
  exports: [ServiceCatalog],
})
export class PortalModule {}
