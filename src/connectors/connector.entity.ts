import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FaultProfileDocument } from './fault-profile.js';

/** The state of a connector: `enabled` serves calls; `maintenance` and `disabled` answer 503. */
export type ConnectorState = 'enabled' | 'maintenance' | 'disabled';

/** The operations a connector may enable, as operators name them (see CONNECTOR_OPERATIONS for the audit's names). */
export type ConnectorOperation = 'verify' | 'verify-batch' | 'look-up' | 'households' | 'changes';

/**
 * The link between one catalog service and the registry: which operations the service may use, whether it is up,
 * and the operator's fault profile (for the portal's own jobs of that service, and for every caller when
 * `applyFaultsToAllCallers`). One per catalog service; defaults from config/connectors.json.
 */
@Entity({ name: 'connectors' })
export class ConnectorEntity {
  @PrimaryColumn({ name: 'service_code', type: 'text', primaryKeyConstraintName: 'pk_connectors' }) serviceCode!: string;
  @Column({ type: 'text' }) state!: ConnectorState;
  @Column({ type: 'text', array: true }) operations!: ConnectorOperation[];
  @Column({ name: 'fault_profile', type: 'jsonb', nullable: true }) faultProfile!: FaultProfileDocument | null;
  @Column({ name: 'apply_faults_to_all_callers', type: 'boolean', default: false }) applyFaultsToAllCallers!: boolean;
  /** Changes with every write of the profile: it names the profile's counters in Redis, so a rewrite starts them again. */
  @Column({ name: 'profile_version', type: 'uuid' }) profileVersion!: string;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  /** `config`: from config/connectors.json (re-applied on start); `api`: changed by an operator (kept). */
  @Column({ type: 'text' }) source!: 'config' | 'api';
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
