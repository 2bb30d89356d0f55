import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A citizen's consent to a non-state consumer reading named fields for one purpose until `expiresAt`. */
@Entity({ name: 'consents' })
export class ConsentEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'consent_id', primaryKeyConstraintName: 'pk_consents' }) consentId!: string;
  /** HMAC of the citizen's ID number (see citizen-hmac.ts); the number itself is not stored here. */
  @Column({ name: 'citizen_hmac', type: 'char', length: 64 }) citizenHmac!: string;
  @Column({ name: 'citizen_masked', type: 'text' }) citizenMasked!: string;
  @Column({ name: 'consumer_id', type: 'uuid' }) consumerId!: string;
  @Column({ name: 'service_code', type: 'text' }) serviceCode!: string;
  @Column({ type: 'text', array: true }) fields!: string[];
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}
