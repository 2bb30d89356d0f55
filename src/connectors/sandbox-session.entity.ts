import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A sandbox session of a consumer: on a key that several people share (the sandbox developer consumer), fault
 * profiles apply only to the calls that carry `X-Sandbox-Session: <sessionId>`.
 */
@Entity({ name: 'sandbox_sessions' })
export class SandboxSessionEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'session_id', primaryKeyConstraintName: 'pk_sandbox_sessions' }) sessionId!: string;
  @Column({ name: 'consumer_id', type: 'uuid' }) consumerId!: string;
  @Column({ type: 'text', nullable: true }) label!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
