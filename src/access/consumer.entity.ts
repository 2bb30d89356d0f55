import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who a consumer is: a state agency acts on a legal basis; a non-state one needs the citizen's consent. */
export type ConsumerKind = 'state' | 'non_state';

/** A client system calling the registry, with its hashed API key and the services (purposes) granted to it. */
@Entity({ name: 'consumers' })
export class ConsumerEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'consumer_id', primaryKeyConstraintName: 'pk_consumers' }) consumerId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) kind!: ConsumerKind;
  @Column({ name: 'service_codes', type: 'text', array: true, default: () => `'{}'` }) serviceCodes!: string[];
  /** SHA-256 of the key, hex; null once revoked. The key itself is never stored. */
  @Column({ name: 'key_hash', type: 'char', length: 64, nullable: true }) keyHash!: string | null;
  /** The key's first characters, so an operator can tell keys apart without seeing them. */
  @Column({ name: 'key_prefix', type: 'text', nullable: true }) keyPrefix!: string | null;
  @Column({ name: 'key_issued_at', type: 'timestamptz', nullable: true }) keyIssuedAt!: Date | null;
  @Column({ name: 'key_revoked_at', type: 'timestamptz', nullable: true }) keyRevokedAt!: Date | null;
  @Column({ name: 'is_developer', type: 'boolean', default: false }) isDeveloper!: boolean;
  /** The city portal's own consumer: it files dossiers, and the portal's jobs call the registry as it. */
  @Column({ name: 'is_portal', type: 'boolean', default: false }) isPortal!: boolean;
  /** Registered by a developer through POST /sandbox/developers: a state consumer whose grants follow the catalog. */
  @Column({ name: 'self_service', type: 'boolean', default: false }) selfService!: boolean;
  /** Null: the configured default. */
  @Column({ name: 'rate_limit_per_second', type: 'integer', nullable: true }) rateLimitPerSecond!: number | null;
  @Column({ name: 'daily_quota', type: 'integer', nullable: true }) dailyQuota!: number | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
