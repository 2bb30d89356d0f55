import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import { DATASET_EPOCH_SQL } from '../registry/registry.repository.js';

/** Where a follower stands: the last change id it applied, of the feed of which dataset. */
export interface FollowerCursor {
  lastChangeId: string;
  datasetEpoch: number;
  /** How often a registry reset made it start again from a new feed. */
  restarts: number;
  updatedAt: Date;
}

/** An event of the changes feed as the follower applies it. */
export interface FollowedEvent {
  cursor: string;
  kind: string;
  idNumber: string;
  occurredAt: string;
  details: Record<string, unknown>;
}

/** What applying a page did; `advanced` false: another follower moved the cursor first, and nothing was written. */
export interface AppliedPage {
  advanced: boolean;
  /** Events recorded as applied now (a replayed event is not counted again). */
  events: number;
  /** Portal records changed. */
  records: number;
  /** Open dossiers flagged for review after a death. */
  dossiersFlagged: number;
}

/** The note a dossier's history gets when a death in the feed flags it. */
export const DECEASED_NOTE = 'The registry recorded the death of this citizen after the dossier was filed (changes feed).';

/**
 * Applies one page of events in one statement. Each citizen's fields take the value of their last event in the page
 * (change-id order); every event is recorded in portal_follower_applied, and only events not recorded there yet
 * have an effect, so a page applied twice changes nothing the second time. Which fields an event sets:
 * - death: status `deceased` and its date; the citizen's open dossiers (received, verifying, or verified: every one
 *   not yet in an officer's hands or closed as rejected) go to `needs_review` with the reason `citizen_deceased` and
 *   an event in their history. A verification job deciding at the same moment takes its decision only from
 *   received or verifying (DossierRepository.decide), so it cannot overwrite the flag; a dossier it verified just
 *   before is flagged all the same. The dossiers are locked by a statement of their own before this one (see
 *   applyPage), so that this statement's snapshot holds the history event of a decision that committed meanwhile,
 *   and the flag's event follows it.
 * - move: the permanent or the temporary residence's address. The event's `to` is the registry's answer shape
 *   (registry.dto addressSchema: `communeName`, `districtName`, `provinceName`); it is written in the shape portal
 *   records store (PortalAddress: the codes, and `legacyCommune`/`legacyDistrict` for a commune without a code, as
 *   the generator writes them), so that the record compares as the generated ones do. The current address is the
 *   temporary residence when there is one, else the permanent (as the registry's currentAddress): a permanent move
 *   moves it only when the record held no separate current address. A seeded move carries no address and changes
 *   nothing.
 * - marriage and divorce: the marital status (`married`, `divorced`).
 * - new card: the card's issue and expiry dates, each only when the event gives it (a date; an expiry given as null
 *   is a card that does not expire): a card without them keeps the dates the record holds.
 * - births and missing persons: recorded, nothing to change (no portal record holds a newborn; a portal record is
 *   alive or deceased only).
 * One statement with the page as one JSON parameter: three parameters whatever the page size (the feed's pages hold 1,000
 * events at most), so Postgres's 65,535-parameter limit never applies.
 */
const APPLY_PAGE = `
  WITH input AS (
    SELECT * FROM json_to_recordset($1::json) AS x(change_id bigint, kind text, id_number char(12), occurred_at timestamptz, details jsonb)
  ), fresh AS (
    SELECT i.*, CASE
        WHEN i.kind = 'death' THEN 'status'
        WHEN i.kind = 'move' AND jsonb_typeof(i.details->'to') = 'object' AND i.details->>'residence' IN ('permanent', 'temporary') THEN i.details->>'residence'
        WHEN i.kind IN ('marriage', 'divorce') THEN 'marital'
        WHEN i.kind = 'new_card' AND jsonb_typeof(i.details->'card') = 'object' THEN 'card'
      END AS field
    FROM input i
    WHERE NOT EXISTS (SELECT 1 FROM portal_follower_applied a WHERE a.dataset_epoch = $2 AND a.change_id = i.change_id)
  ), stored AS (
    -- A move's address in the stored shape (PortalAddress): the names the answer derives from codes are dropped.
    SELECT f.*, CASE WHEN f.field IN ('permanent', 'temporary') THEN jsonb_build_object(
             'detail', f.details->'to'->>'detail',
             'communeCode', f.details->'to'->>'communeCode',
             'legacyCommune', CASE WHEN f.details->'to'->>'communeCode' IS NULL THEN coalesce(f.details->'to'->>'legacyCommune', f.details->'to'->>'communeName') END,
             'legacyDistrict', CASE WHEN f.details->'to'->>'communeCode' IS NULL THEN coalesce(f.details->'to'->>'legacyDistrict', f.details->'to'->>'districtName') END,
             'provinceCode', f.details->'to'->>'provinceCode') END AS address,
           f.field = 'card' AND f.details->'card' ? 'expiryDate'
             AND (f.details->'card'->>'expiryDate' ~ '^\\d{4}-\\d{2}-\\d{2}$' OR jsonb_typeof(f.details->'card'->'expiryDate') = 'null') AS expiry_given
    FROM fresh f
  ), latest AS (
    SELECT id_number,
           bool_or(field = 'status') AS died,
           (array_agg(CASE WHEN details->>'date' ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (details->>'date')::date ELSE (occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date END
                      ORDER BY change_id DESC) FILTER (WHERE field = 'status'))[1] AS status_date,
           (array_agg(address ORDER BY change_id DESC) FILTER (WHERE field = 'permanent'))[1] AS permanent_to,
           (array_agg(address ORDER BY change_id DESC) FILTER (WHERE field = 'temporary'))[1] AS temporary_to,
           (array_agg(CASE kind WHEN 'marriage' THEN 'married' ELSE 'divorced' END ORDER BY change_id DESC) FILTER (WHERE field = 'marital'))[1] AS marital_status,
           (array_agg(details->'card'->>'issueDate' ORDER BY change_id DESC) FILTER (WHERE field = 'card' AND details->'card'->>'issueDate' ~ '^\\d{4}-\\d{2}-\\d{2}$'))[1] AS card_issue,
           bool_or(expiry_given) AS card_expiry_given,
           (array_agg(details->'card'->>'expiryDate' ORDER BY change_id DESC) FILTER (WHERE expiry_given))[1] AS card_expiry
    FROM stored WHERE field IS NOT NULL GROUP BY id_number
  ), updated AS (
    UPDATE portal_records r
    SET status = CASE WHEN l.died THEN 'deceased' ELSE r.status END,
        status_date = CASE WHEN l.died THEN l.status_date ELSE r.status_date END,
        permanent_address = coalesce(l.permanent_to, r.permanent_address),
        current_address = coalesce(l.temporary_to, CASE WHEN l.permanent_to IS NOT NULL AND r.current_address = r.permanent_address THEN l.permanent_to ELSE r.current_address END),
        marital_status = coalesce(l.marital_status, r.marital_status),
        card_issue_date = coalesce(l.card_issue::date, r.card_issue_date),
        card_expiry_date = CASE WHEN l.card_expiry_given THEN l.card_expiry::date ELSE r.card_expiry_date END,
        source = 'follower',
        updated_at = now()
    FROM latest l
    WHERE r.id_number = l.id_number
    RETURNING r.id_number
  ), touched AS (
    SELECT id_number, count(*)::int AS records FROM updated GROUP BY id_number
  ), flagged AS (
    UPDATE portal_dossiers d
    SET status = 'needs_review', reason = 'citizen_deceased', reason_detail = $3, decided_at = now(), updated_at = now()
    FROM latest l
    WHERE l.died AND d.applicant->>'idNumber' = l.id_number AND d.status IN ('received', 'verifying', 'verified')
    RETURNING d.dossier_id
  ), flag_event AS (
    INSERT INTO portal_dossier_events (dossier_id, seq, status, reason, note)
    SELECT f.dossier_id, (SELECT coalesce(max(e.seq), 0) + 1 FROM portal_dossier_events e WHERE e.dossier_id = f.dossier_id), 'needs_review', 'citizen_deceased', $3
    FROM flagged f
  ), outbox AS (
    DELETE FROM portal_outbox WHERE dossier_id IN (SELECT dossier_id FROM flagged)
  ), applied AS (
    INSERT INTO portal_follower_applied (dataset_epoch, change_id, kind, records_touched)
    SELECT $2, f.change_id, f.kind, CASE WHEN f.field IS NULL THEN 0 ELSE coalesce(t.records, 0) END
    FROM fresh f LEFT JOIN touched t USING (id_number)
    ORDER BY f.change_id
    ON CONFLICT (dataset_epoch, change_id) DO NOTHING
    RETURNING change_id
  )
  SELECT (SELECT count(*) FROM applied)::int AS events, (SELECT count(*) FROM updated)::int AS records, (SELECT count(*) FROM flagged)::int AS "dossiersFlagged"`;

const CURSOR_COLUMNS = `last_change_id::text AS "lastChangeId", dataset_epoch AS "datasetEpoch", restarts, updated_at AS "updatedAt"`;

type CursorRow = Omit<FollowerCursor, 'datasetEpoch'> & { datasetEpoch: string };

function cursorOf(row: CursorRow): FollowerCursor {
  return { ...row, datasetEpoch: Number(row.datasetEpoch) };
}

/**
 * The changes follower's tables: its cursor and the events it applied, and the portal records and dossiers the
 * events change. A page's changes, its applied rows and the cursor's advance commit together; the advance is
 * guarded by the cursor's previous value, so that two followers reading the same page cannot both apply it.
 */
@Injectable()
export class RecordsFollowerRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The follower's cursor (created at the start of the registry's current feed the first time), and the registry's current epoch. */
  async position(follower: string): Promise<{ cursor: FollowerCursor; currentEpoch: number }> {
    const read = () =>
      this.pool.query<CursorRow & { currentEpoch: string }>(
        `SELECT ${CURSOR_COLUMNS}, ${DATASET_EPOCH_SQL} AS "currentEpoch" FROM portal_follower_cursor WHERE follower = $1`,
        [follower],
      );
    let { rows } = await read();
    if (rows.length === 0) {
      await this.pool.query(
        `INSERT INTO portal_follower_cursor (follower, last_change_id, dataset_epoch) SELECT $1, 0, ${DATASET_EPOCH_SQL} ON CONFLICT (follower) DO NOTHING`,
        [follower],
      );
      ({ rows } = await read());
    }
    const { currentEpoch, ...cursor } = rows[0];
    return { cursor: cursorOf(cursor), currentEpoch: Number(currentEpoch) };
  }

  /** The cursor, or null before the follower's first run. */
  async cursor(follower: string): Promise<FollowerCursor | null> {
    const { rows } = await this.pool.query<CursorRow>(`SELECT ${CURSOR_COLUMNS} FROM portal_follower_cursor WHERE follower = $1`, [follower]);
    return rows[0] ? cursorOf(rows[0]) : null;
  }

  /**
   * After a registry reset: the cursor goes back to the start of the new feed (whose epoch is the registry's now),
   * and the applied events of older feeds go (their change ids name events that no longer exist). Returns false when
   * another follower restarted first, or the cursor moved meanwhile: only one process says that the follower restarted.
   */
  async restartFromNewFeed(follower: string, from: FollowerCursor, epoch: number): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const moved = await client.query(
        `UPDATE portal_follower_cursor SET last_change_id = 0, dataset_epoch = $3, restarts = restarts + 1, updated_at = now()
         WHERE follower = $1 AND last_change_id = $2::bigint AND dataset_epoch = $4 AND $3 = ${DATASET_EPOCH_SQL}`,
        [follower, from.lastChangeId, epoch, from.datasetEpoch],
      );
      if (moved.rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query('DELETE FROM portal_follower_applied WHERE dataset_epoch <> $1', [epoch]);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Applies a page read from `from` (see APPLY_PAGE) and moves the cursor to `nextCursor`, in one transaction. The
   * cursor's update comes first: it is guarded by the value the page was read from and by the registry's epoch
   * (a page read before a reset belongs to a feed that is gone), and it holds the cursor row's lock until the commit,
   * so a second follower with the same page waits, then finds the cursor moved and writes nothing. The cursor never
   * moves back: a page replayed from the cursor's own value leaves it where it is.
   */
  async applyPage(follower: string, from: FollowerCursor, events: readonly FollowedEvent[], nextCursor: string): Promise<AppliedPage> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const moved = await client.query(
        `UPDATE portal_follower_cursor SET last_change_id = greatest(last_change_id, $3::bigint), updated_at = now()
         WHERE follower = $1 AND last_change_id = $2::bigint AND dataset_epoch = $4 AND dataset_epoch = ${DATASET_EPOCH_SQL}`,
        [follower, from.lastChangeId, nextCursor, from.datasetEpoch],
      );
      if (moved.rowCount !== 1) {
        await client.query('ROLLBACK');
        return { advanced: false, events: 0, records: 0, dossiersFlagged: 0 };
      }
      // The open dossiers a death in the page flags are locked first: a decision in flight commits before this
      // statement's snapshot is taken (READ COMMITTED: one per statement), and one that starts later waits, then finds
      // the dossier flagged. A decision batch locking two of them in the other order may deadlock with this: Postgres
      // then aborts one of the two, and either is retried (the job with backoff, the page read again).
      const deaths = [...new Set(events.filter((event) => event.kind === 'death').map((event) => event.idNumber))];
      if (deaths.length > 0) {
        await client.query(
          `SELECT 1 FROM portal_dossiers WHERE applicant->>'idNumber' = ANY ($1::text[]) AND status IN ('received', 'verifying', 'verified') ORDER BY dossier_id FOR UPDATE`,
          [deaths],
        );
      }
      const input = events.map((event) => ({ change_id: event.cursor, kind: event.kind, id_number: event.idNumber, occurred_at: event.occurredAt, details: event.details }));
      const { rows } = await client.query<{ events: number; records: number; dossiersFlagged: number }>(APPLY_PAGE, [JSON.stringify(input), from.datasetEpoch, DECEASED_NOTE]);
      await client.query('COMMIT');
      return { advanced: true, ...rows[0] };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
