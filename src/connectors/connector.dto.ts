import { z } from 'zod';
import type { AuditOperation } from '../access/access-audit.entity.js';
import { safeText } from '../common/validation.js';
import type { ConnectorEntity, ConnectorOperation, ConnectorState } from './connector.entity.js';
import { EXAMPLE_PROFILE, faultProfileSchema } from './fault-profile.js';

export const CONNECTOR_STATES = ['enabled', 'maintenance', 'disabled'] as const satisfies readonly ConnectorState[];

/** The operations a connector may enable, by the names operators use, and the registry operation each one is. */
export const CONNECTOR_OPERATIONS: Record<ConnectorOperation, AuditOperation> = {
  verify: 'verify',
  'verify-batch': 'verify_batch_item',
  'look-up': 'lookup',
  households: 'household',
  changes: 'changes',
};
const OPERATION_NAMES = Object.keys(CONNECTOR_OPERATIONS) as [ConnectorOperation, ...ConnectorOperation[]];

/** The operator's name of a registry operation. */
export function operationName(operation: AuditOperation): ConnectorOperation {
  return OPERATION_NAMES.find((name) => CONNECTOR_OPERATIONS[name] === operation)!;
}

const connectorFields = {
  state: z.enum(CONNECTOR_STATES).describe('`enabled` serves; `maintenance` answers 503 connector_maintenance with Retry-After; `disabled` answers 503 connector_disabled'),
  operations: z
    .array(z.enum(OPERATION_NAMES))
    .max(OPERATION_NAMES.length)
    .describe('The operations the service may use; any other answers 403 operation_not_enabled')
    .transform((names) => [...new Set(names)]),
  faultProfile: faultProfileSchema.nullable().describe("The operator's fault profile: for the portal's own jobs of this service, and for every caller when applyFaultsToAllCallers"),
  applyFaultsToAllCallers: z.boolean().describe('Apply faultProfile to every caller of the service too, not only to the portal\'s jobs'),
  note: safeText(500).nullable(),
};

/** A connector as operators write it: PUT /connectors/v1/{serviceCode}, and config/connectors.json's `defaults`. */
export const connectorInputSchema = z.strictObject({
  ...connectorFields,
  faultProfile: connectorFields.faultProfile.default(null),
  applyFaultsToAllCallers: connectorFields.applyFaultsToAllCallers.default(false),
  note: connectorFields.note.default(null),
});

/** An override of config/connectors.json: any of the fields, over the defaults. */
export const connectorOverrideSchema = z.strictObject(connectorFields).partial();

export const connectorViewSchema = z.object({
  serviceCode: z.string(),
  state: z.enum(CONNECTOR_STATES),
  operations: z.array(z.enum(OPERATION_NAMES)),
  faultProfile: faultProfileSchema.nullable().describe('As written, with its seed (generated when it was not given)'),
  applyFaultsToAllCallers: z.boolean(),
  note: z.string().nullable(),
  source: z.enum(['config', 'api']).describe('`config`: config/connectors.json, re-applied on every start; `api`: changed by an operator, kept across starts'),
  updatedAt: z.string(),
});
export type ConnectorView = z.infer<typeof connectorViewSchema>;
export const connectorListSchema = z.object({ connectors: z.array(connectorViewSchema) });

export function toConnectorView(connector: ConnectorEntity): ConnectorView {
  return {
    serviceCode: connector.serviceCode,
    state: connector.state,
    operations: connector.operations,
    faultProfile: connector.faultProfile as ConnectorView['faultProfile'],
    applyFaultsToAllCallers: connector.applyFaultsToAllCallers,
    note: connector.note,
    source: connector.source,
    updatedAt: connector.updatedAt.toISOString(),
  };
}

const exampleView: ConnectorView = {
  serviceCode: '1.001456',
  state: 'enabled',
  operations: ['verify', 'verify-batch', 'look-up', 'households', 'changes'],
  faultProfile: null,
  applyFaultsToAllCallers: false,
  note: null,
  source: 'config',
  updatedAt: '2026-12-01T02:15:04.118Z',
};

/** Worked examples for the OpenAPI document. */
export const CONNECTOR_EXAMPLES = {
  serviceCode: '1.001456',
  view: exampleView,
  maintenanceInput: { state: 'maintenance', operations: ['verify', 'look-up'], note: 'Passport office upgrade, back at 14:00' },
  faultyInput: { state: 'enabled', operations: ['verify', 'look-up'], faultProfile: EXAMPLE_PROFILE, applyFaultsToAllCallers: true },
  faultyView: { ...exampleView, operations: ['verify', 'look-up'], faultProfile: EXAMPLE_PROFILE, applyFaultsToAllCallers: true, source: 'api' },
};
