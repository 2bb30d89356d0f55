import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index entries per registry call, which every call pays for inside its commit (docs/BENCHMARKS.md):
 * - the journal's index on `call_id` goes: a call id is a UUIDv7 of the millisecond the call was received, so the
 *   primary key (received_at, call_id) finds a call by its id (JournalRepository.callById);
 * - the audit's index on `call_id` goes: nothing reads the audit by call (the journal shows a call; the audit is
 *   searched by citizen, consumer, service, dossier and time);
 * - the journal's per-consumer index is built ascending, read backwards for "newest first": new calls land at the
 *   end of their consumer's range instead of its start, where every insert split a page in two half-empty ones.
 * The gateway applies migrations at start, before it serves. Building the index locks the journal's partitions for
 * the build (seconds per million journaled calls): another process serving meanwhile waits to commit its calls.
 */
export class LeanerJournalIndexes1796500000000 implements MigrationInterface {
  name = 'LeanerJournalIndexes1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_call_journal_call`);
    await queryRunner.query(`DROP INDEX idx_access_audit_call`);
    await queryRunner.query(`DROP INDEX idx_call_journal_consumer`);
    await queryRunner.query(`CREATE INDEX idx_call_journal_consumer ON call_journal (consumer_id, received_at, call_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_call_journal_consumer`);
    await queryRunner.query(`CREATE INDEX idx_call_journal_consumer ON call_journal (consumer_id, received_at DESC, call_id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_access_audit_call ON access_audit (call_id) WHERE call_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_call_journal_call ON call_journal (call_id)`);
  }
}
