import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { FaultProfileDocument } from './fault-profile.js';

/**
 * A consumer's own fault profile: for one of its services or all of them (`serviceCode` null), and either for all of
 * its calls or, with `sessionId`, only for the calls of that session. One per scope (a unique constraint, nulls equal).
 */
@Entity({ name: 'fault_profiles' })
export class FaultProfileEntity {
  /** Changes with every write: it names the profile's counters in Redis, so a rewrite starts them again. */
  @PrimaryGeneratedColumn('uuid', { name: 'profile_version', primaryKeyConstraintName: 'pk_fault_profiles' }) profileVersion!: string;
  @Column({ name: 'consumer_id', type: 'uuid' }) consumerId!: string;
  @Column({ name: 'session_id', type: 'uuid', nullable: true }) sessionId!: string | null;
  @Column({ name: 'service_code', type: 'text', nullable: true }) serviceCode!: string | null;
  @Column({ type: 'jsonb' }) profile!: FaultProfileDocument;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
