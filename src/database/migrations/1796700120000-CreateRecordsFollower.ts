import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The changes follower of portal records (issue 9), owned by the portal module:
 * - `portal_follower_cursor`: one row per follower: the last change id applied, the dataset epoch (the registry's
 *   seeding time, see DATASET_EPOCH_SQL) whose feed it follows, and how often a registry reset made it start again.
 *   A page is applied only by the follower that read it from this cursor value (the update is guarded by it).
 * - `portal_follower_applied`: every event applied, with the number of portal records it touched; its primary key
 *   makes a replayed event change nothing. Change ids are unique per feed, and a reset starts a new feed, hence the
 *   epoch in the key.
 * - an index on the dossiers' applicant ID number: a death flags that citizen's open dossiers, found by it.
 */
export class CreateRecordsFollower1796700120000 implements MigrationInterface {
  name = 'CreateRecordsFollower1796700120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE portal_follower_cursor (
        follower text CONSTRAINT pk_portal_follower_cursor PRIMARY KEY,
        last_change_id bigint NOT NULL DEFAULT 0,
        dataset_epoch bigint NOT NULL,
        restarts integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE portal_follower_applied (
        dataset_epoch bigint NOT NULL,
        change_id bigint NOT NULL,
        kind text NOT NULL,
        records_touched integer NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT pk_portal_follower_applied PRIMARY KEY (dataset_epoch, change_id)
      )`);
    await queryRunner.query(`CREATE INDEX idx_portal_dossiers_applicant_id_number ON portal_dossiers ((applicant->>'idNumber'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_dossiers_applicant_id_number`);
    await queryRunner.query(`DROP TABLE portal_follower_applied`);
    await queryRunner.query(`DROP TABLE portal_follower_cursor`);
  }
}
