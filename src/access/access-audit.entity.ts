import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What a registry call did: `ok` (data returned), `match`/`mismatch`/`not_found` (verify), or `refused`. */
export type AuditOutcome = 'ok' | 'match' | 'mismatch' | 'not_found' | 'refused';

/** The registry operation audited. */
export type AuditOperation = 'lookup' | 'verify' | 'verify_batch_item' | 'household' | 'changes';

/** One append-only audit record (the database refuses UPDATE, DELETE and TRUNCATE). Written by SQL, read by API. */
@Entity({ name: 'access_audit' })
export class AccessAuditEntity {
  @PrimaryGeneratedColumn('identity', { name: 'audit_id', type: 'bigint', primaryKeyConstraintName: 'pk_access_audit' }) auditId!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' }) occurredAt!: Date;
  @Column({ name: 'request_id', type: 'text' }) requestId!: string;
  @Column({ name: 'consumer_id', type: 'uuid', nullable: true }) consumerId!: string | null;
  @Column({ name: 'officer_hmac', type: 'char', length: 64, nullable: true }) officerHmac!: string | null;
  @Column({ name: 'officer_masked', type: 'text', nullable: true }) officerMasked!: string | null;
  @Column({ name: 'service_code', type: 'text', nullable: true }) serviceCode!: string | null;
  @Column({ name: 'dossier_id', type: 'text', nullable: true }) dossierId!: string | null;
  @Column({ type: 'text' }) operation!: AuditOperation;
  @Column({ name: 'citizen_hmac', type: 'char', length: 64, nullable: true }) citizenHmac!: string | null;
  @Column({ name: 'citizen_masked', type: 'text', nullable: true }) citizenMasked!: string | null;
  @Column({ type: 'text', array: true, default: () => `'{}'` }) fields!: string[];
  @Column({ type: 'text' }) outcome!: AuditOutcome;
  /** The problem code of a refused call. */
  @Column({ type: 'text', nullable: true }) reason!: string | null;
}
