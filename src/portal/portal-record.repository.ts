import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import { withoutDiacritics } from './dossier-labels.js';
import type { DriftKind, PortalRecordLabel } from './portal-record-labels.js';

/**
 * An address as a portal record holds it: the registry's columns, not its display names. A 2025-map address has a
 * `communeCode`; a pre-2025 one (3-level) has `legacyCommune` and `legacyDistrict` instead.
 */
export interface PortalAddress {
  detail: string;
  communeCode: string | null;
  legacyCommune: string | null;
  legacyDistrict: string | null;
  provinceCode: string;
}

/** A portal record as the portal reads it. */
export interface PortalRecordRow {
  recordId: string;
  serviceCode: string;
  holderCommuneCode: string | null;
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  permanentAddress: PortalAddress;
  currentAddress: PortalAddress;
  maritalStatus: string;
  status: 'alive' | 'deceased';
  statusDate: string | null;
  cardIssueDate: string | null;
  cardExpiryDate: string | null;
  source: 'generated' | 'sync_run' | 'follower' | 'portal';
  label: PortalRecordLabel | null;
  confirmedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const RECORD_COLUMNS = `
  record_id::text AS "recordId", service_code AS "serviceCode", holder_commune_code AS "holderCommuneCode",
  id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex,
  permanent_address AS "permanentAddress", current_address AS "currentAddress", marital_status AS "maritalStatus",
  status, to_char(status_date, 'YYYY-MM-DD') AS "statusDate", to_char(card_issue_date, 'YYYY-MM-DD') AS "cardIssueDate",
  to_char(card_expiry_date, 'YYYY-MM-DD') AS "cardExpiryDate", source, label, confirmed_at AS "confirmedAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * `translate()` arguments that drop Vietnamese diacritics (and đ/Đ → d/D) the way withoutDiacritics does, case kept:
 * every precomposed Latin letter from U+00C0 to U+1EF9 whose folded form is one ASCII letter. Built once from the
 * same function, so the SQL and the TypeScript fold alike.
 */
export const DIACRITICS = (() => {
  const from: string[] = [];
  const to: string[] = [];
  for (let code = 0xc0; code <= 0x1ef9; code += 1) {
    const letter = String.fromCodePoint(code);
    const base = withoutDiacritics(letter);
    if (base !== letter && /^[A-Za-z]$/.test(base)) {
      from.push(letter);
      to.push(base);
    }
  }
  return { from: from.join(''), to: to.join('') };
})();

/** SQL: a deterministic integer in [0, 2^32) drawn from `text` (its md5's first 32 bits). */
const draw = (text: string) => `(('x' || substr(md5(${text}), 1, 8))::bit(32)::bigint)`;

/** SQL: a citizen's address columns (`prefix` is `permanent` or `temporary`) as a PortalAddress. */
const addressOf = (prefix: 'permanent' | 'temporary') =>
  `jsonb_build_object('detail', c.${prefix}_detail, 'communeCode', c.${prefix}_commune_code::text, 'legacyCommune', c.${prefix}_legacy_commune,
     'legacyDistrict', c.${prefix}_legacy_district, 'provinceCode', c.${prefix}_province_code::text)`;
const CURRENT_ADDRESS = `CASE WHEN c.temporary_detail IS NULL THEN ${addressOf('permanent')} ELSE ${addressOf('temporary')} END`;

/** Citizens the generator copies: a portal record is `alive` or `deceased`; a missing citizen has no such status. */
const COPYABLE = `c.status IN ('alive', 'deceased')`;
const FULL_BIRTH_DATE = `c.date_of_birth ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`;

/** The special kinds: only some citizens can carry them, so they are drawn first, each from its own pool. */
export type SpecialKind = Extract<DriftKind, 'stale_address' | 'unrecorded_death' | 'marital_status'>;
/** The kinds any citizen (nearly) can carry, drawn from the citizens of the plan not yet given a kind. */
export type GenericKind = Extract<DriftKind, 'lost_diacritics' | 'wrong_birth_date' | 'wrong_id_digit' | 'not_in_registry'>;

/**
 * The portal's records (issue 9): the reads that sync runs and the changes follower make, and the generator's
 * writes. The generator's statements run on one client inside one transaction (inGenerationTransaction) and build
 * the records set-based over the registry's `citizens` (read only): a plan table of the chosen citizens and their
 * drift, then INSERT ... SELECT in ranges of the plan, so that progress can be reported between statements.
 */
@Injectable()
export class PortalRecordRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Up to `limit` records of a service after `afterRecordId` (and up to `throughRecordId`, inclusive, when given),
   * in record_id order: a keyset page or one batch of a range (a sync run's). Seeking past the last id on
   * idx_portal_records_service costs the same on the last page as on the first, which OFFSET would not.
   */
  async findByServiceAfter(serviceCode: string, afterRecordId: string, limit: number, throughRecordId: string | null = null): Promise<PortalRecordRow[]> {
    const { rows } = await this.pool.query<PortalRecordRow>({
      name: 'portal_records_by_service_after',
      text: `SELECT ${RECORD_COLUMNS} FROM portal_records
             WHERE service_code = $1 AND record_id > $2::bigint AND ($4::bigint IS NULL OR record_id <= $4::bigint)
             ORDER BY record_id LIMIT $3`,
      values: [serviceCode, afterRecordId, limit, throughRecordId],
    });
    return rows;
  }

  /**
   * A service's records cut into consecutive keyset ranges of `size` records each (the last may be shorter):
   * `(afterRecordId, throughRecordId]` with its count, in order. One scan of idx_portal_records_service, so a sync
   * run can plan its batches before reading any record.
   */
  async keysetRanges(serviceCode: string, size: number): Promise<Array<{ afterRecordId: string; throughRecordId: string; records: number }>> {
    const { rows } = await this.pool.query<{ afterRecordId: string; throughRecordId: string; records: number }>(
      `WITH numbered AS (
         SELECT record_id, (row_number() OVER (ORDER BY record_id) - 1) / $2 AS batch FROM portal_records WHERE service_code = $1
       ),
       batches AS (SELECT batch, max(record_id) AS through, count(*)::int AS records FROM numbered GROUP BY batch)
       SELECT coalesce(lag(through) OVER (ORDER BY batch), 0)::text AS "afterRecordId", through::text AS "throughRecordId", records
       FROM batches ORDER BY batch`,
      [serviceCode, size],
    );
    return rows;
  }

  /** Every record of one ID number, across services (the changes follower's question), in record_id order. */
  async findByIdNumber(idNumber: string): Promise<PortalRecordRow[]> {
    const { rows } = await this.pool.query<PortalRecordRow>({
      name: 'portal_records_by_id_number',
      text: `SELECT ${RECORD_COLUMNS} FROM portal_records WHERE id_number = $1 ORDER BY record_id`,
      values: [idNumber],
    });
    return rows;
  }

  /**
   * Runs the generator's statements in one transaction on one client: a killed job leaves nothing half-written, and
   * its re-run replaces the same records. A transaction-scoped advisory lock keeps two generations from interleaving.
   */
  async inGenerationTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('popgate:portal-records:generate'))`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Removes every record of these services, whatever its source: a generation replaces the service's records
   * completely, so records that a sync run or the follower changed since the last generation go with the others.
   * The services' running sync runs are stopped first, in the same transaction: their batches are keyset ranges of
   * the record ids removed here, so they would check nothing more, and a run half over the old records and half
   * over none would report as complete. Each run's row is locked (FOR UPDATE, as a batch commit locks it first), so a
   * batch committing meanwhile either commits before (its results stay with its run) or waits and finds the run
   * stopped and writes nothing. Finished runs keep their reports (their record ids are of records gone now); a
   * pending run plans its batches when it starts, over the new records.
   */
  async deleteRecordsOf(client: pg.PoolClient, serviceCodes: readonly string[]): Promise<number> {
    await client.query(
      `UPDATE portal_sync_runs r SET state = 'stopped', finished_at = now(), waiting_reason = NULL, waiting_until = NULL,
         stop_reason = 'the portal records of the service were regenerated (POST /sandbox/portal/records/generate)'
       FROM (SELECT run_id FROM portal_sync_runs WHERE service_code = ANY ($1::text[]) AND state = 'running' FOR UPDATE) locked
       WHERE r.run_id = locked.run_id AND r.state = 'running'`,
      [serviceCodes],
    );
    const result = await client.query(`DELETE FROM portal_records WHERE service_code = ANY ($1::text[])`, [serviceCodes]);
    return result.rowCount ?? 0;
  }

  /** The plan: one row per chosen citizen, with its drift and the values the drift needs. Dropped at commit. */
  async createPlan(client: pg.PoolClient): Promise<void> {
    await client.query(`
      CREATE TEMP TABLE portal_record_plan (
        id_number char(12) PRIMARY KEY,
        kind text,
        stale_fields text[],
        stale_address jsonb,
        record_id_number text,
        record_date_of_birth text,
        duplicated boolean NOT NULL DEFAULT false,
        service_code text,
        ord bigint
      ) ON COMMIT DROP`);
  }

  /**
   * Adds up to `limit` citizens who can carry a special kind, drawn by `md5(seed:kind:idNumber)` among those not yet
   * in the plan. Returns how many were added.
   * - stale_address: the citizen's last recorded move (registry_changes, kind `move`) left a residence that differs
   *   from today's; the record keeps the residence left. A permanent residence left by a citizen without a temporary
   *   one is stale in both fields (their current place is the permanent residence).
   * - unrecorded_death: the registry holds the citizen as deceased.
   * - marital_status: the citizen is married (the record says single: the marriage unrecorded) or divorced (the
   *   record says married: the divorce unrecorded).
   */
  async planSpecial(client: pg.PoolClient, kind: SpecialKind, seed: string, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const order = `ORDER BY md5($1 || ':${kind}:' || c.id_number), c.id_number LIMIT $2`;
    const fresh = `NOT EXISTS (SELECT 1 FROM portal_record_plan p WHERE p.id_number = c.id_number)`;
    if (kind === 'stale_address') {
      const result = await client.query(
        `WITH last_move AS (
           SELECT DISTINCT ON (id_number) id_number, details FROM registry_changes WHERE kind = 'move' ORDER BY id_number, change_id DESC
         ),
         moved AS (
           SELECT c.id_number, m.details->>'residence' AS residence, m.details->'from' AS f,
                  CASE WHEN m.details->>'residence' = 'permanent' THEN c.permanent_detail ELSE c.temporary_detail END AS now_detail,
                  CASE WHEN m.details->>'residence' = 'permanent' THEN c.permanent_commune_code ELSE c.temporary_commune_code END AS now_commune,
                  c.temporary_detail IS NULL AS no_temporary
           FROM last_move m JOIN citizens c ON c.id_number = m.id_number
           WHERE ${COPYABLE} AND m.details->>'residence' IN ('permanent', 'temporary')
             AND jsonb_typeof(m.details->'from') = 'object' AND length(m.details->'from'->>'detail') > 0 AND ${fresh}
         )
         INSERT INTO portal_record_plan (id_number, kind, stale_fields, stale_address)
         SELECT c.id_number, 'stale_address',
                CASE WHEN c.residence = 'temporary' THEN ARRAY['currentAddress']
                     WHEN c.no_temporary THEN ARRAY['permanentAddress', 'currentAddress'] ELSE ARRAY['permanentAddress'] END,
                jsonb_build_object('detail', c.f->>'detail', 'communeCode', c.f->>'communeCode',
                  'legacyCommune', CASE WHEN c.f->>'communeCode' IS NULL THEN c.f->>'communeName' END,
                  'legacyDistrict', CASE WHEN c.f->>'communeCode' IS NULL THEN c.f->>'districtName' END,
                  'provinceCode', c.f->>'provinceCode')
         FROM moved c
         WHERE c.now_detail IS NOT NULL
           AND NOT (coalesce(c.f->>'communeCode', '') = coalesce(c.now_commune::text, '') AND lower(c.f->>'detail') = lower(c.now_detail))
         ${order}`,
        [seed, limit],
      );
      return result.rowCount ?? 0;
    }
    const condition = kind === 'unrecorded_death' ? `c.status = 'deceased'` : `c.status = 'alive' AND c.marital_status IN ('married', 'divorced')`;
    const result = await client.query(
      `INSERT INTO portal_record_plan (id_number, kind)
       SELECT c.id_number, '${kind}' FROM citizens c WHERE ${condition} AND ${fresh} ${order}`,
      [seed, limit],
    );
    return result.rowCount ?? 0;
  }

  /** Fills the plan with up to `limit` more citizens (no kind yet), drawn by `md5(seed:idNumber)`. */
  async planFill(client: pg.PoolClient, seed: string, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const result = await client.query(
      `INSERT INTO portal_record_plan (id_number)
       SELECT c.id_number FROM citizens c
       WHERE ${COPYABLE} AND NOT EXISTS (SELECT 1 FROM portal_record_plan p WHERE p.id_number = c.id_number)
       ORDER BY md5($1 || ':' || c.id_number), c.id_number LIMIT $2`,
      [seed, limit],
    );
    await client.query('ANALYZE portal_record_plan');
    return result.rowCount ?? 0;
  }

  /**
   * Gives a generic kind to up to `limit` planned citizens without one (and not to be duplicated) that can carry it, drawn by
   * `md5(seed:kind:idNumber)`, and computes the drifted value. A citizen for whom no value is found (every candidate
   * ID number taken, a name and birth date that someone has) goes back to no kind. Returns how many carry it.
   * - lost_diacritics: a name with diacritics; the record's name is folded (upper case for half of them).
   * - wrong_birth_date: a full birth date; day and month swapped when that is another date, else a day off (same month).
   * - wrong_id_digit: one of the last six digits changed (five candidates drawn), to a number no citizen has.
   * - not_in_registry: someone else: the citizen's name and residences, a birth date 30 to 2,029 days earlier that
   *   nobody of that name has, and a well-formed number for it (the citizen's province code, the century-and-sex and
   *   year digits of the new date, six drawn digits) that no citizen has.
   */
  async assignGeneric(client: pg.PoolClient, kind: GenericKind, seed: string, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const eligible: Record<GenericKind, string> = {
      // A letter of the folded block (every one of them folds: see DIACRITICS). A regex class, not translate(), which
      // searches its list for every letter of every name: on a 50,000-record plan this step took 1.6 s with
      // translate() and 0.17 s with the class (test database, one run).
      lost_diacritics: `c.full_name ~ '[${DIACRITICS.from}]'`,
      wrong_birth_date: FULL_BIRTH_DATE,
      wrong_id_digit: 'true',
      not_in_registry: `${FULL_BIRTH_DATE} AND c.date_of_birth >= '1906'`,
    };
        await client.query(
      `UPDATE portal_record_plan SET kind = '${kind}'
       WHERE id_number IN (
         SELECT p.id_number FROM portal_record_plan p JOIN citizens c ON c.id_number = p.id_number
         WHERE p.kind IS NULL AND NOT p.duplicated AND ${eligible[kind]}
         ORDER BY md5($1 || ':${kind}:' || p.id_number), p.id_number LIMIT $2)`,
      [seed, limit],
    );
    if (kind === 'wrong_birth_date') {
      await client.query(
        `UPDATE portal_record_plan p SET record_date_of_birth = CASE
           WHEN substr(c.date_of_birth, 9, 2)::int <= 12 AND substr(c.date_of_birth, 9, 2) <> substr(c.date_of_birth, 6, 2)
             THEN substr(c.date_of_birth, 1, 4) || '-' || substr(c.date_of_birth, 9, 2) || '-' || substr(c.date_of_birth, 6, 2)
           WHEN substr(c.date_of_birth, 9, 2) = '01' THEN to_char(c.date_of_birth::date + 1, 'YYYY-MM-DD')
           ELSE to_char(c.date_of_birth::date - 1, 'YYYY-MM-DD') END
         FROM citizens c WHERE c.id_number = p.id_number AND p.kind = 'wrong_birth_date'`,
      );
    }
    if (kind === 'wrong_id_digit') {
      await this.drawRecordIdNumbers(
        client,
        kind,
        seed,
        `(SELECT overlay(p.id_number::text PLACING ((substr(p.id_number, d.pos, 1)::int + 1 + d.step) % 10)::text FROM d.pos FOR 1)
          FROM (SELECT 7 + (h % 6)::int AS pos, ((h / 6) % 9)::int AS step FROM (SELECT ${draw(`$1 || ':wrong_id_digit:' || p.id_number || ':' || $2`)} AS h) drawn) d)`,
      );
    }
    if (kind === 'not_in_registry') {
      await client.query(
        `UPDATE portal_record_plan p SET record_date_of_birth = to_char(c.date_of_birth::date - (30 + ${draw(`$1 || ':not_in_registry:date:' || p.id_number`)} % 2000)::int, 'YYYY-MM-DD')
         FROM citizens c WHERE c.id_number = p.id_number AND p.kind = 'not_in_registry'`,
        [seed],
      );
      // Someone of that name born on that day would be found by name and birth date: not someone new. EXISTS, not
      // IN (SELECT …): a semi-join the planner can hash in batches, where an IN list larger than work_mem would be
      // scanned once per row. The plan is analysed first: its statistics date from planFill, when no row had a kind,
      // and with them the planner expected one row here and probed the citizens by a full scan per row (125 s for
      // 600 rows of a 100,000-record plan on a million citizens, instead of one hash of the citizens).
      await client.query('ANALYZE portal_record_plan');
      await client.query(
        `UPDATE portal_record_plan p SET kind = NULL, record_date_of_birth = NULL
         FROM citizens c WHERE c.id_number = p.id_number AND p.kind = 'not_in_registry'
           AND EXISTS (SELECT 1 FROM citizens x WHERE x.full_name = c.full_name AND x.date_of_birth = p.record_date_of_birth)`,
      );
      await this.drawRecordIdNumbers(
        client,
        kind,
        seed,
        `substr(p.id_number, 1, 3)
           || (((substr(p.record_date_of_birth, 1, 4)::int / 100) - 19) * 2 + CASE WHEN c.sex = 'female' THEN 1 ELSE 0 END)::text
           || substr(p.record_date_of_birth, 3, 2)
           || lpad((${draw(`$1 || ':not_in_registry:id:' || p.id_number || ':' || $2`)} % 1000000)::text, 6, '0')`,
      );
    }
    if (kind === 'wrong_id_digit' || kind === 'not_in_registry') {
      await client.query(`UPDATE portal_record_plan SET kind = NULL, record_date_of_birth = NULL WHERE kind = '${kind}' AND record_id_number IS NULL`);
    }
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM portal_record_plan WHERE kind = '${kind}'`);
    return Number(rows[0].n);
  }

  /**
   * Gives the planned citizens of `kind` a made-up ID number: the `candidate` (SQL over `p`, the plan row, and `c`,
   * its citizen; `$1` the seed, `$2` the draw's number) of the first of five draws that no citizen holds and no
   * other record of the generation was given. One statement per draw, over the rows still without a number: when
   * two rows draw the same number in one statement, the lower ID number takes it and the other tries its next draw,
   * so the numbers are unique within the generation (two records with one made-up number would also read as a
   * duplicate) and the same seed gives the same ones.
   */
  private async drawRecordIdNumbers(client: pg.PoolClient, kind: 'wrong_id_digit' | 'not_in_registry', seed: string, candidate: string): Promise<void> {
    for (let k = 0; k < 5; k++) {
      await client.query(
        `UPDATE portal_record_plan p SET record_id_number = w.candidate
         FROM (
           SELECT DISTINCT ON (x.candidate) x.id_number, x.candidate
           FROM (SELECT p.id_number, ${candidate} AS candidate
                 FROM portal_record_plan p JOIN citizens c ON c.id_number = p.id_number
                 WHERE p.kind = '${kind}' AND p.record_id_number IS NULL) x
           WHERE NOT EXISTS (SELECT 1 FROM citizens h WHERE h.id_number = x.candidate::char(12))
             AND NOT EXISTS (SELECT 1 FROM portal_record_plan t WHERE t.record_id_number = x.candidate)
           ORDER BY x.candidate, x.id_number
         ) w
         WHERE p.id_number = w.id_number`,
        [seed, String(k)],
      );
    }
  }

  /** Marks up to `limit` faithful planned citizens (drawn by `md5(seed:duplicate:idNumber)`) for a second copy. */
  async planDuplicates(client: pg.PoolClient, seed: string, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const result = await client.query(
      `UPDATE portal_record_plan SET duplicated = true
       WHERE id_number IN (SELECT id_number FROM portal_record_plan WHERE kind IS NULL ORDER BY md5($1 || ':duplicate:' || id_number), id_number LIMIT $2)`,
      [seed, limit],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Gives each planned citizen its service (drawn by `md5(seed:service:idNumber)` among `serviceCodes`) and its
   * position in the insert order (`md5(seed:idNumber)`); returns how many are planned.
   */
  async orderPlan(client: pg.PoolClient, seed: string, serviceCodes: readonly string[]): Promise<number> {
    const result = await client.query(
      `UPDATE portal_record_plan p SET service_code = ($2::text[])[1 + (${draw(`$1 || ':service:' || p.id_number`)} % cardinality($2::text[]))::int], ord = o.ord
       FROM (SELECT id_number, row_number() OVER (ORDER BY md5($1 || ':' || id_number), id_number) AS ord FROM portal_record_plan) o
       WHERE o.id_number = p.id_number`,
      [seed, serviceCodes],
    );
    await client.query('CREATE INDEX ON portal_record_plan (ord)');
    return result.rowCount ?? 0;
  }

  /** Writes the records of the plan positions (`fromOrd`, `toOrd`], in plan order; returns how many. */
  async insertPlanned(client: pg.PoolClient, seed: string, fromOrd: number, toOrd: number): Promise<number> {
    const label = `CASE p.kind
      WHEN 'stale_address' THEN jsonb_build_object('kind', p.kind, 'fields', to_jsonb(p.stale_fields), 'expected', 'mismatch')
      WHEN 'unrecorded_death' THEN jsonb_build_object('kind', p.kind, 'fields', jsonb_build_array('status'), 'expected', 'mismatch')
      WHEN 'marital_status' THEN jsonb_build_object('kind', p.kind, 'fields', jsonb_build_array('maritalStatus'), 'expected', 'mismatch',
        'unrecorded', CASE c.marital_status WHEN 'married' THEN 'marriage' ELSE 'divorce' END)
      WHEN 'lost_diacritics' THEN jsonb_build_object('kind', p.kind, 'fields', jsonb_build_array('fullName'), 'expected', 'normalized')
      WHEN 'wrong_birth_date' THEN jsonb_build_object('kind', p.kind, 'fields', jsonb_build_array('dateOfBirth'), 'expected', 'mismatch')
      WHEN 'wrong_id_digit' THEN jsonb_build_object('kind', p.kind, 'fields', jsonb_build_array('idNumber'), 'expected', 'not_found')
      WHEN 'not_in_registry' THEN jsonb_build_object('kind', p.kind, 'fields', jsonb_build_array('idNumber'), 'expected', 'not_found')
    END`;
    const folded = `translate(c.full_name, $4, $5)`;
    const result = await client.query(
      `INSERT INTO portal_records (service_code, id_number, full_name, date_of_birth, sex, permanent_address, current_address,
                                   marital_status, status, status_date, card_issue_date, card_expiry_date, source, label)
       SELECT p.service_code, coalesce(p.record_id_number, c.id_number),
              CASE WHEN p.kind = 'lost_diacritics' THEN
                CASE WHEN ${draw(`$1 || ':upper:' || p.id_number`)} % 2 = 0 THEN upper(${folded}) ELSE ${folded} END
              ELSE c.full_name END,
              coalesce(p.record_date_of_birth, c.date_of_birth), c.sex,
              CASE WHEN 'permanentAddress' = ANY (p.stale_fields) THEN p.stale_address ELSE ${addressOf('permanent')} END,
              CASE WHEN 'currentAddress' = ANY (p.stale_fields) THEN p.stale_address ELSE ${CURRENT_ADDRESS} END,
              CASE WHEN p.kind = 'marital_status' THEN CASE c.marital_status WHEN 'married' THEN 'single' ELSE 'married' END ELSE c.marital_status END,
              CASE WHEN p.kind = 'unrecorded_death' THEN 'alive' ELSE c.status END,
              CASE WHEN p.kind = 'unrecorded_death' THEN NULL ELSE c.status_date END,
              c.card_issue_date, c.card_expiry_date, 'generated', ${label}
       FROM portal_record_plan p JOIN citizens c ON c.id_number = p.id_number
       WHERE p.ord > $2 AND p.ord <= $3
       ORDER BY p.ord`,
      [seed, fromOrd, toOrd, DIACRITICS.from, DIACRITICS.to],
    );
    return result.rowCount ?? 0;
  }

  /** Writes the second copy of each citizen marked `duplicated`: the first copy's values, in the same service. */
  async insertDuplicates(client: pg.PoolClient): Promise<number> {
    const result = await client.query(
      `INSERT INTO portal_records (service_code, id_number, full_name, date_of_birth, sex, permanent_address, current_address,
                                   marital_status, status, status_date, card_issue_date, card_expiry_date, source, label)
       SELECT r.service_code, r.id_number, r.full_name, r.date_of_birth, r.sex, r.permanent_address, r.current_address,
              r.marital_status, r.status, r.status_date, r.card_issue_date, r.card_expiry_date, 'generated',
              jsonb_build_object('kind', 'duplicate', 'fields', '[]'::jsonb, 'expected', 'duplicate', 'duplicateOf', r.record_id::text)
       FROM portal_record_plan p
       JOIN portal_records r ON r.id_number = p.id_number AND r.service_code = p.service_code AND r.source = 'generated' AND r.label IS NULL
       WHERE p.duplicated
       ORDER BY p.ord`,
    );
    return result.rowCount ?? 0;
  }

  /** The generated records of these services, per service and label kind (`faithful` for a null label). */
  async generatedCounts(client: pg.PoolClient, serviceCodes: readonly string[]): Promise<Array<{ serviceCode: string; kind: string; records: number }>> {
    const { rows } = await client.query<{ serviceCode: string; kind: string; records: string }>(
      `SELECT service_code AS "serviceCode", coalesce(label->>'kind', 'faithful') AS kind, count(*) AS records
       FROM portal_records WHERE source = 'generated' AND service_code = ANY ($1::text[]) GROUP BY 1, 2`,
      [serviceCodes],
    );
    return rows.map((row) => ({ ...row, records: Number(row.records) }));
  }
}
