import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recurring sync runs (issue 9), owned by the portal module: `portal_sync_schedules`, one schedule per service
 * (a cron `pattern` with its time zone, or `every_ms`), the run's `mode`, and whether an operator paused it. Rows come
 * from config/sync-schedules.json on start (`source` `config`) and from `/ops/sync-schedules` (`api`); the BullMQ job
 * schedulers that fire the runs are rebuilt from these rows, so that a Redis that lost them gets them back.
 */
export class CreatePortalSyncSchedules1796700240000 implements MigrationInterface {
  name = 'CreatePortalSyncSchedules1796700240000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE portal_sync_schedules (
        service_code text CONSTRAINT pk_portal_sync_schedules PRIMARY KEY CONSTRAINT fk_portal_sync_schedules_service REFERENCES public_services (code),
        pattern text,
        time_zone text NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
        every_ms integer,
        mode text NOT NULL CONSTRAINT ck_portal_sync_schedules_mode CHECK (mode IN ('verify', 'refresh')),
        paused boolean NOT NULL DEFAULT false,
        source text NOT NULL CONSTRAINT ck_portal_sync_schedules_source CHECK (source IN ('config', 'api')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_portal_sync_schedules_when CHECK ((pattern IS NULL) <> (every_ms IS NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE portal_sync_schedules`);
  }
}
