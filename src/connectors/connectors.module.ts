import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ConnectorDirectory } from './connector-directory.service.js';
import { ConnectorsController } from './connectors.controller.js';
import { FaultEngine } from './fault-engine.service.js';
import { FaultScopes } from './fault-scopes.service.js';
import { HttpFaults } from './http-faults.js';
import { SandboxFaultsController } from './sandbox-faults.controller.js';

/**
 * Connectors (a service's link to the registry: operations, state, the operator's fault profile), consumers' own
 * fault profiles and sandbox sessions, and the fault engine that every registry call passes after the access gate.
 */
@Module({
  imports: [AccessModule],
  controllers: [ConnectorsController, SandboxFaultsController],
  providers: [ConnectorDirectory, FaultScopes, FaultEngine, HttpFaults],
  exports: [ConnectorDirectory, FaultEngine, HttpFaults],
})
export class ConnectorsModule {}
