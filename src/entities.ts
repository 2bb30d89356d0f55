import { AccessAuditEntity } from './access/access-audit.entity.js';
import { ConsentEntity } from './access/consent.entity.js';
import { ConsumerEntity } from './access/consumer.entity.js';
import { PublicServiceEntity } from './catalog/public-service.entity.js';
import { ConnectorEntity } from './connectors/connector.entity.js';
import { FaultProfileEntity } from './connectors/fault-profile.entity.js';
import { SandboxSessionEntity } from './connectors/sandbox-session.entity.js';
import { CitizenEntity } from './registry/citizen.entity.js';
import { HouseholdEntity } from './registry/household.entity.js';
import { RegistryChangeEntity } from './registry/registry-change.entity.js';
import { RegistryDatasetEntity } from './registry/registry-dataset.entity.js';

/**
 * Every entity of the app, listed explicitly (ESM has no reliable glob loading, and a list is easy to review). It
 * sits at the top, beside app.module.ts, so that the database layer below the domains imports none of them.
 */
export const ENTITIES = [
  CitizenEntity,
  HouseholdEntity,
  RegistryChangeEntity,
  RegistryDatasetEntity,
  PublicServiceEntity,
  ConsumerEntity,
  ConsentEntity,
  AccessAuditEntity,
  ConnectorEntity,
  SandboxSessionEntity,
  FaultProfileEntity,
];
