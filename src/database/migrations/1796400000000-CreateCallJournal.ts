import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The call journal: one row per registry call, made over HTTP or in-process, partitioned by day in Vietnam's time
 * zone (UTC+7, the day its users see). Unlike the audit, it holds no ID number and no citizen pseudonym, so it may
 * have retention: whole days are detached and dropped (JournalPartitions), the audit is never touched. There is no
 * default partition: a row outside every partition is refused, so partitions are kept at least seven days ahead.
 * Each audit row names the call that made it (`access_audit.call_id`).
 */
export class CreateCallJournal1796400000000 implements MigrationInterface {
  name = 'CreateCallJournal1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE call_journal (
        call_id uuid NOT NULL,
        received_at timestamptz NOT NULL,
        request_id text NOT NULL,
        transport text NOT NULL,
        consumer_id uuid,
        service_code text,
        operation text NOT NULL,
        dossier_id text,
        job_id text,
        attempt integer,
        outcome text NOT NULL,
        http_status integer,
        problem_code text,
        fault_kind text,
        latency_ms real NOT NULL,
        fields_requested text[] NOT NULL DEFAULT '{}',
        fields_returned text[] NOT NULL DEFAULT '{}',
        batch_ok integer,
        batch_mismatch integer,
        batch_not_found integer,
        batch_invalid integer,
        persona_key text,
        fingerprint char(64) NOT NULL,
        CONSTRAINT pk_call_journal PRIMARY KEY (received_at, call_id),
        CONSTRAINT chk_call_journal_outcome CHECK (outcome IN ('ok', 'mismatch', 'not_found', 'refused', 'invalid', 'rate_limited',
          'quota_exhausted', 'unavailable', 'timeout', 'server_error')),
        CONSTRAINT chk_call_journal_transport CHECK (transport IN ('http', 'in_process'))
      ) PARTITION BY RANGE (received_at)`);
    // Searches are newest first within a consumer (a consumer key sees its own calls) or overall (the admin key);
    // a retry is found by its request id, a dossier's calls by the dossier.
    await queryRunner.query(`CREATE INDEX idx_call_journal_consumer ON call_journal (consumer_id, received_at DESC, call_id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_call_journal_request ON call_journal (request_id)`);
    await queryRunner.query(`CREATE INDEX idx_call_journal_dossier ON call_journal (dossier_id) WHERE dossier_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_call_journal_call ON call_journal (call_id)`);
    // One partition per Vietnamese day, named call_journal_YYYYMMDD. Creating one is serialised, so two processes
    // that start together do not race on the same name.
    await queryRunner.query(`
      CREATE FUNCTION call_journal_ensure_partition(day date) RETURNS boolean LANGUAGE plpgsql AS $$
      DECLARE
        partition_name text := 'call_journal_' || to_char(day, 'YYYYMMDD');
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('call_journal_partitions', 0));
        IF to_regclass(partition_name) IS NOT NULL THEN
          RETURN false;
        END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF call_journal FOR VALUES FROM (%L) TO (%L)', partition_name,
                       (day::text || ' 00:00:00+07')::timestamptz, ((day + 1)::text || ' 00:00:00+07')::timestamptz);
        RETURN true;
      END $$`);
    await queryRunner.query(`
      SELECT call_journal_ensure_partition(d::date)
      FROM generate_series((now() AT TIME ZONE '+07')::date - 1, (now() AT TIME ZONE '+07')::date + 7, interval '1 day') AS d`);
    await queryRunner.query(`ALTER TABLE access_audit ADD COLUMN call_id uuid`);
    await queryRunner.query(`CREATE INDEX idx_access_audit_call ON access_audit (call_id) WHERE call_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_access_audit_call`);
    await queryRunner.query(`ALTER TABLE access_audit DROP COLUMN call_id`);
    await queryRunner.query(`DROP TABLE call_journal`);
    await queryRunner.query(`DROP FUNCTION call_journal_ensure_partition(date)`);
  }
}
