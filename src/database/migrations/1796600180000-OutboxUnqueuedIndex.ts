import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox rows whose job never reached Redis (Redis was down at filing, or the add failed): the reconciler's
 * incremental pass reads just these, so that its cost does not grow with the backlog of queued dossiers.
 */
export class OutboxUnqueuedIndex1796600180000 implements MigrationInterface {
  name = 'OutboxUnqueuedIndex1796600180000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_portal_outbox_unqueued ON portal_outbox (dossier_id) WHERE enqueued_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_outbox_unqueued`);
  }
}
