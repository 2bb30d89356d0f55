import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Kinds of change event the feed carries: civil-status and residence events, and new cards. */
export type RegistryChangeKind = 'birth' | 'death' | 'missing' | 'move' | 'marriage' | 'divorce' | 'new_card';

/**
 * One event of the changes feed. `changeId` is the cursor: events are inserted under a transaction-scoped advisory
 * lock, so ids are assigned in commit order and a reader resuming after id N never skips a later commit.
 */
@Entity({ name: 'registry_changes' })
export class RegistryChangeEntity {
  @PrimaryGeneratedColumn('identity', { name: 'change_id', type: 'bigint', primaryKeyConstraintName: 'pk_registry_changes' })
  changeId!: string;

  @Column({ type: 'text' }) kind!: RegistryChangeKind;
  @Column({ name: 'id_number', type: 'char', length: 12 }) idNumber!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt!: Date;
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` }) details!: Record<string, unknown>;
}
