import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { PublicServicesController } from './public-services.controller.js';

/** The city portal stand-in: for now the public-service catalog's API (reads open, writes with the admin key). */
@Module({
  imports: [CatalogModule, AccessModule],
  controllers: [PublicServicesController],
})
export class PortalModule {}
