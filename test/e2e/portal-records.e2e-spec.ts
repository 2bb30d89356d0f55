import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { QueueEvents } from 'bullmq';
import request from 'supertest';
import { bullConnection } from '../../src/queue/queue.module.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { PG_POOL } from '../../src/database/database.module.js';
import { foldName } from '../../src/identity/name-folding.js';
import { idNumberAgreesWith, validateIdNumber } from '../../src/identity/id-number.js';
import { PortalRecordGenerator } from '../../src/portal/portal-record-generator.js';
import { PortalRecordRepository } from '../../src/portal/portal-record.repository.js';
import { DRIFT_KINDS, KIND_FINDINGS, type PortalRecordLabel } from '../../src/portal/portal-record-labels.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, PORTAL_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';

const SERVICE = '1.004222';

interface JobView {
  jobId: string;
  state: string;
  progress: number;
  request: Record<string, unknown>;
  result: null | { records: number; requested: number; replaced: number; byKind: Record<string, number>; byService: Record<string, number>; shortfalls: Array<{ kind: string }> };
  statusUrl?: string;
}

/** A generated record next to the registry's citizen of its ID number, and the fields in which they differ. */
interface Compared {
  recordId: string;
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  status: string;
  label: PortalRecordLabel | null;
  citizenName: string | null;
  citizenStatus: string | null;
  citizenMarital: string | null;
  differing: string[];
}

/**
 * A citizen's address columns as a portal record holds them (the format documented in portal-record.repository.ts),
 * written here on its own so that the test does not trust the generator's SQL.
 */
const address = (prefix: string) =>
  `jsonb_build_object('detail', c.${prefix}_detail, 'communeCode', c.${prefix}_commune_code::text, 'legacyCommune', c.${prefix}_legacy_commune,
     'legacyDistrict', c.${prefix}_legacy_district, 'provinceCode', c.${prefix}_province_code::text)`;

/** POST /sandbox/portal/records/generate: a queued generation of portal records with labelled drift, checked against the registry. */
describe('/sandbox/portal/records/generate', () => {
  // A database of its own: the labels are checked against the registry's events and the service's records, and
  // other files record events for the same citizens and write records of the same services.
  const sharedDatabaseUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = `${sharedDatabaseUrl}_records`;
  const testApp = useTestApp({ reseedAfter: true });
  afterAll(() => {
    process.env.DATABASE_URL = sharedDatabaseUrl;
  });
  const http = () => testApp.http;

  async function generateAndWait(body: Record<string, unknown>): Promise<JobView> {
    const queued = await http().post('/sandbox/portal/records/generate').send(body).expect(202);
    expect(queued.body).toMatchObject({ jobId: expect.any(String), statusUrl: `/sandbox/portal/records/jobs/${queued.body.jobId}` });
    let job: JobView = queued.body;
    await expectEventually(async () => {
      job = (await http().get(queued.body.statusUrl).expect(200)).body;
      expect(job.state).not.toBe('failed');
      expect(job.state).toBe('completed');
    }, 60_000, 100);
    return job;
  }

  /** The generated records of a service, canonical: positions relative to the first record, duplicateOf likewise. */
  async function snapshot(serviceCode: string): Promise<string[]> {
    const rows: Array<Record<string, unknown>> = await testApp.db.query(
      `WITH mine AS (SELECT * FROM portal_records WHERE source = 'generated' AND service_code = $1),
            base AS (SELECT min(record_id) AS first FROM mine)
       SELECT record_id - base.first AS position, id_number, full_name, date_of_birth, sex, permanent_address, current_address,
              marital_status, status, status_date::text, card_issue_date::text, card_expiry_date::text,
              CASE WHEN label ? 'duplicateOf' THEN jsonb_set(label, '{duplicateOf}', to_jsonb((label->>'duplicateOf')::bigint - base.first)) ELSE label END AS label
       FROM mine, base ORDER BY record_id`,
      [serviceCode],
    );
    return rows.map((row) => JSON.stringify(row));
  }

  /** Every generated record of the service compared with the registry (the fields a reconciliation would report). */
  async function compared(serviceCode: string): Promise<Compared[]> {
    return testApp.db.query(
      `SELECT r.record_id::text AS "recordId", r.id_number AS "idNumber", r.full_name AS "fullName", r.date_of_birth AS "dateOfBirth", r.sex,
              r.status, r.label, c.full_name AS "citizenName", c.status AS "citizenStatus", c.marital_status AS "citizenMarital",
              CASE WHEN c.id_number IS NULL THEN ARRAY['idNumber'] ELSE array_remove(ARRAY[
                CASE WHEN r.full_name IS DISTINCT FROM c.full_name THEN 'fullName' END,
                CASE WHEN r.date_of_birth IS DISTINCT FROM c.date_of_birth THEN 'dateOfBirth' END,
                CASE WHEN r.sex IS DISTINCT FROM c.sex THEN 'sex' END,
                CASE WHEN r.permanent_address IS DISTINCT FROM ${address('permanent')} THEN 'permanentAddress' END,
                CASE WHEN r.current_address IS DISTINCT FROM (CASE WHEN c.temporary_detail IS NULL THEN ${address('permanent')} ELSE ${address('temporary')} END)
                  THEN 'currentAddress' END,
                CASE WHEN r.marital_status IS DISTINCT FROM c.marital_status THEN 'maritalStatus' END,
                CASE WHEN r.status IS DISTINCT FROM c.status OR r.status_date IS DISTINCT FROM c.status_date THEN 'status' END
              ], NULL) END AS differing
       FROM portal_records r LEFT JOIN citizens c ON c.id_number = r.id_number
       WHERE r.source = 'generated' AND r.service_code = $1 ORDER BY r.record_id`,
      [serviceCode],
    );
  }

  it('writes records whose labels say exactly how each differs from the registry, every kind present, at the drift rate asked for', async () => {
    // Recorded moves give the stale addresses: permanent ones of citizens without a temporary residence (both fields
    // stale), permanent ones of citizens with one (only the permanent address), temporary ones (only the current place).
    const movers: Array<{ idNumber: string; temporary: boolean }> = await testApp.db.query(
      `(SELECT id_number AS "idNumber", false AS temporary FROM citizens WHERE status = 'alive' AND permanent_commune_code IS NOT NULL AND temporary_detail IS NULL ORDER BY id_number LIMIT 10)
       UNION ALL
       (SELECT id_number, true FROM citizens WHERE status = 'alive' AND temporary_detail IS NOT NULL ORDER BY id_number LIMIT 20)`,
    );
    for (const [index, mover] of movers.entries()) {
      const residence = mover.temporary && index % 2 === 0 ? 'temporary' : 'permanent';
      await http()
        .post('/sandbox/registry/events')
        .send({ kind: 'move', idNumber: mover.idNumber, residence, address: { detail: `Số ${index + 1} phố Mới Chuyển`, communeCode: '00070' } })
        .expect(201);
    }

    const job = await generateAndWait({ serviceCode: SERVICE, count: 1_600, driftRate: 0.4, seed: 'records' });
    expect(job).toMatchObject({ progress: 100, request: { serviceCode: SERVICE, count: 1_600, driftRate: 0.4, seed: 'records' } });
    const result = job.result!;
    expect(result).toMatchObject({ requested: 1_600, records: 1_600, byService: { [SERVICE]: 1_600 } });

    const records = await compared(SERVICE);
    expect(records).toHaveLength(1_600);
    const drifted = records.filter((record) => record.label !== null);
    // round(1,600 × 0.4) = 640; a kind's shortfall goes to the others, so the rate holds within a record per kind.
    expect(Math.abs(drifted.length - 640)).toBeLessThanOrEqual(DRIFT_KINDS.length);
    for (const kind of DRIFT_KINDS) {
      const count = drifted.filter((record) => record.label!.kind === kind).length;
      expect({ kind, present: count > 0, counted: count }).toEqual({ kind, present: true, counted: result.byKind[kind] });
    }
    expect(result.byKind.faithful).toBe(1_600 - drifted.length);
    expect(result.byKind.stale_address).toBe(30);

    const byId = new Map(records.map((record) => [record.recordId, record]));
    for (const record of records) {
      const label = record.label;
      const context = { recordId: record.recordId, label };
      if (label === null) {
        expect({ ...context, differing: record.differing }).toEqual({ ...context, differing: [] });
        continue;
      }
      expect(label.expected).toBe(KIND_FINDINGS[label.kind]);
      const expectedDiff = label.kind === 'duplicate' ? [] : [...label.fields].sort();
      expect({ ...context, differing: [...record.differing].sort() }).toEqual({ ...context, differing: expectedDiff });
      switch (label.kind) {
        case 'lost_diacritics':
          expect(record.fullName).not.toBe(record.citizenName);
          expect(foldName(record.fullName)).toBe(foldName(record.citizenName!));
          expect(record.fullName).toMatch(/^[\x20-\x7e]+$/);
          break;
        case 'unrecorded_death':
          expect([record.citizenStatus, record.status]).toEqual(['deceased', 'alive']);
          break;
        case 'marital_status':
          expect([label.unrecorded, record.citizenMarital]).toEqual(label.unrecorded === 'marriage' ? ['marriage', 'married'] : ['divorce', 'divorced']);
          break;
        case 'duplicate': {
          const first = byId.get(label.duplicateOf)!;
          expect(first).toMatchObject({ idNumber: record.idNumber, label: null });
          break;
        }
        case 'wrong_id_digit': {
          // The citizen of the record's name and birth date has an ID one digit away (in the random part).
          const namesakes: Array<{ idNumber: string }> = await testApp.db.query(
            `SELECT id_number AS "idNumber" FROM citizens WHERE full_name = $1 AND date_of_birth = $2`,
            [record.fullName, record.dateOfBirth],
          );
          const oneDigitAway = namesakes.filter(({ idNumber }) => [...idNumber].filter((digit, index) => digit !== record.idNumber[index]).length === 1);
          expect(oneDigitAway).toHaveLength(1);
          expect(oneDigitAway[0].idNumber.slice(0, 6)).toBe(record.idNumber.slice(0, 6));
          break;
        }
        case 'not_in_registry': {
          const namesakes: unknown[] = await testApp.db.query(`SELECT 1 FROM citizens WHERE full_name = $1 AND date_of_birth = $2`, [record.fullName, record.dateOfBirth]);
          expect(namesakes).toEqual([]);
          expect(validateIdNumber(record.idNumber, new Date('2026-11-28'))).toEqual([]);
          expect(idNumberAgreesWith(record.idNumber, record.sex, Number(record.dateOfBirth.slice(0, 4)))).toBe(true);
          break;
        }
        default:
          break;
      }
    }

    // A stale address is the residence the citizen left in their last recorded move.
    const stale: Array<{ matches: boolean }> = await testApp.db.query(
      `SELECT bool_and(CASE WHEN r.label->'fields' ? 'permanentAddress' THEN r.permanent_address ELSE r.current_address END->>'detail' = m.details->'from'->>'detail') AS matches
       FROM portal_records r
       JOIN LATERAL (SELECT details FROM registry_changes WHERE kind = 'move' AND id_number = r.id_number ORDER BY change_id DESC LIMIT 1) m ON true
       WHERE r.service_code = $1 AND r.label->>'kind' = 'stale_address'`,
      [SERVICE],
    );
    expect(stale).toEqual([{ matches: true }]);
    const fieldSets = new Set(drifted.filter((record) => record.label!.kind === 'stale_address').map((record) => record.label!.fields.join('+')));
    expect(fieldSets).toEqual(new Set(['permanentAddress+currentAddress', 'permanentAddress', 'currentAddress']));
  });

  it('is deterministic: the same seed writes the same records with the same labels, another seed others; a generation replaces the last', async () => {
    const body = { serviceCode: 'P06-24', count: 400, driftRate: 0.5, seed: 'same' };
    await generateAndWait(body);
    const first = await snapshot('P06-24');
    const again = await generateAndWait(body);
    expect(again.result).toMatchObject({ records: 400, replaced: 400 });
    expect(await snapshot('P06-24')).toEqual(first);
    await generateAndWait({ ...body, seed: 'other' });
    const other = await snapshot('P06-24');
    expect(other).toHaveLength(400);
    expect(other).not.toEqual(first);
  });

  it('replaces every record of the service, those a sync run or the follower changed included, and stops its running sync run', async () => {
    const body = { serviceCode: 'P06-21', count: 300, driftRate: 0.3, seed: 'touched' };
    await generateAndWait(body);
    const first = await snapshot('P06-21');
    // Records changed since the generation, as a refresh run and the changes follower write them.
    await testApp.db.query(
      `UPDATE portal_records SET source = CASE WHEN record_id % 2 = 0 THEN 'sync_run' ELSE 'follower' END, full_name = full_name || ' X'
       WHERE record_id IN (SELECT record_id FROM portal_records WHERE service_code = $1 ORDER BY record_id LIMIT 40)`,
      ['P06-21'],
    );
    const runId = randomUUID();
    await testApp.db.query(`INSERT INTO portal_sync_runs (run_id, service_code, mode, state, requested_by, batch_count, record_count, started_at) VALUES ($1, $2, 'verify', 'running', 'test', 1, 300, now())`, [runId, 'P06-21']);
    await testApp.db.query(
      `INSERT INTO portal_sync_batches (run_id, batch_no, first_record_id, last_record_id, planned_count)
       SELECT $1, 0, min(record_id), max(record_id), count(*) FROM portal_records WHERE service_code = $2`,
      [runId, 'P06-21'],
    );

    const again = await generateAndWait(body);
    expect(again.result).toMatchObject({ records: 300, replaced: 300 });
    expect(await testApp.db.query(`SELECT source, count(*)::int AS n FROM portal_records WHERE service_code = $1 GROUP BY source`, ['P06-21'])).toEqual([{ source: 'generated', n: 300 }]);
    expect(await snapshot('P06-21')).toEqual(first);
    const [run] = await testApp.db.query(`SELECT state, stop_reason AS "stopReason" FROM portal_sync_runs WHERE run_id = $1`, [runId]);
    expect(run).toEqual({ state: 'stopped', stopReason: expect.stringContaining('regenerated') });
  });

  it('gives made-up ID numbers unique within a generation and held by no citizen, even when two citizens draw the same one', async () => {
    const pool = testApp.app.get<pg.Pool>(PG_POOL);
    const repository = testApp.app.get(PortalRecordRepository);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Two citizens whose ID numbers differ in the last digit (a copy of one under a free neighbouring number) draw
      // the same wrong_id_digit number when both draws change that digit to the same value: a seed where they do.
      const [{ a, b }] = (
        await client.query(
          `SELECT c.id_number AS a, overlay(c.id_number::text PLACING ((substr(c.id_number, 12, 1)::int + 1) % 10)::text FROM 12 FOR 1) AS b
           FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM citizens x WHERE x.id_number = overlay(c.id_number::text PLACING ((substr(c.id_number, 12, 1)::int + 1) % 10)::text FROM 12 FOR 1)::char(12))
           ORDER BY c.id_number LIMIT 1`,
        )
      ).rows;
      await client.query(`INSERT INTO citizens SELECT (jsonb_populate_record(NULL::citizens, to_jsonb(c) || jsonb_build_object('id_number', $2::text))).* FROM citizens c WHERE c.id_number = $1`, [a, b]);
      // The generator's first draw for wrong_id_digit (PortalRecordRepository.drawRecordIdNumbers): a digit of the last six, and a step.
      const { rows: seeds } = await client.query(
        `WITH drawn AS (
           SELECT 'collide-' || g AS seed, id, ('x' || substr(md5('collide-' || g || ':wrong_id_digit:' || id || ':0'), 1, 8))::bit(32)::bigint AS h
           FROM generate_series(1, 20000) g, unnest(ARRAY[$1::text, $2::text]) id
         ), candidates AS (
           SELECT seed, id, overlay(id PLACING ((substr(id, 7 + (h % 6)::int, 1)::int + 1 + ((h / 6) % 9)::int) % 10)::text FROM 7 + (h % 6)::int FOR 1) AS candidate FROM drawn
         )
         SELECT x.seed, x.candidate FROM candidates x JOIN candidates y ON y.seed = x.seed AND y.id = $2 AND y.candidate = x.candidate
         WHERE x.id = $1 AND NOT EXISTS (SELECT 1 FROM citizens c WHERE c.id_number = x.candidate::char(12))
         ORDER BY x.seed LIMIT 1`,
        [a, b],
      );
      expect(seeds).toHaveLength(1);
      await repository.createPlan(client);
      await client.query(`INSERT INTO portal_record_plan (id_number) VALUES ($1), ($2)`, [a, b]);
      expect(await repository.assignGeneric(client, 'wrong_id_digit', seeds[0].seed, 2)).toBe(2);
      const { rows: made } = await client.query<{ made: string }>(`SELECT record_id_number AS made FROM portal_record_plan ORDER BY id_number`);
      expect(made.map((row) => row.made)).toContain(seeds[0].candidate);
      expect(new Set(made.map((row) => row.made)).size).toBe(2);
      const { rows: held } = await client.query(`SELECT id_number FROM citizens WHERE id_number = ANY ($1::char(12)[])`, [made.map((row) => row.made)]);
      expect(held).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('spreads the records over the catalog without a service, and a faithful generation has no label', async () => {
    const job = await generateAndWait({ count: 300, driftRate: 0, seed: 'spread' });
    expect(Object.keys(job.result!.byService).length).toBeGreaterThan(3);
    expect(job.result!.byKind.faithful).toBe(300);
    const [{ labelled }] = await testApp.db.query(`SELECT count(*)::int AS labelled FROM portal_records WHERE source = 'generated' AND label IS NOT NULL AND service_code <> $1`, [SERVICE]);
    expect(labelled).toBe(0);
  });

  it('writes fewer records than asked when the registry has fewer citizens, and says so', async () => {
    const [{ copyable }] = await testApp.db.query(`SELECT count(*)::int AS copyable FROM citizens WHERE status IN ('alive', 'deceased')`);
    const job = await generateAndWait({ serviceCode: 'P06-22', count: copyable + 500, driftRate: 0.2, seed: 'too-many' });
    const result = job.result!;
    // Every copyable citizen once, and the duplicates' second copies.
    expect(result).toMatchObject({ requested: copyable + 500, records: copyable + result.byKind.duplicate });
    expect(result.byKind.duplicate).toBeGreaterThan(0);
    const [{ distinct }] = await testApp.db.query(
      `SELECT count(DISTINCT id_number)::int AS distinct FROM portal_records WHERE service_code = 'P06-22' AND label->>'kind' IS DISTINCT FROM 'duplicate'`,
    );
    expect(distinct).toBe(copyable);
  });

  it('reports progress after each step, rising to 100, and the job shows it', async () => {
    const seen: number[] = [];
    const result = await testApp.app.get(PortalRecordGenerator).generate({ serviceCode: 'P06-23', count: 500, driftRate: 0.3, seed: 'progress' }, (percent) => seen.push(percent));
    expect(result.records).toBe(500);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.filter((percent) => percent > 0 && percent < 100).length).toBeGreaterThanOrEqual(8);
    expect(seen.at(-1)).toBe(100);

    // The job's progress is the generator's, step by step: every update reaches a client as a progress event.
    const events = new QueueEvents(QueueName.PortalRecords, { connection: bullConnection(process.env.REDIS_URL!), prefix: process.env.QUEUE_PREFIX });
    testApp.beforeClose(() => events.close());
    await events.waitUntilReady();
    const progressed: Array<{ jobId: string; data: unknown }> = [];
    events.on('progress', (event) => progressed.push(event));
    const job = await generateAndWait({ serviceCode: 'P06-23', count: 500, driftRate: 0.3, seed: 'progress' });
    expect(job).toMatchObject({ state: 'completed', progress: 100, result: { records: 500 } });
    await expectEventually(async () => expect(progressed.filter((event) => event.jobId === job.jobId).map((event) => event.data)).toContain(100), 10_000, 50);
    const reported = progressed.filter((event) => event.jobId === job.jobId).map((event) => Number(event.data));
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(reported.filter((percent) => percent > 0 && percent < 100).length).toBeGreaterThanOrEqual(8);
    await http().get('/sandbox/portal/records/jobs/no-such-job').expect(404);
  });

  it('pages through a service\'s records with GET /portal/v1/records (portal or admin key), ID numbers masked', async () => {
    await generateAndWait({ serviceCode: 'P06-24', count: 250, driftRate: 0.5, seed: 'paged' });
    const server = testApp.app.getHttpServer();
    const seen: Array<{ recordId: string; idNumber: string; label: unknown }> = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: request.Response = await request(server).get(`/portal/v1/records?serviceCode=P06-24&limit=100${cursor ? `&cursor=${cursor}` : ''}`).set(PORTAL_AUTH).expect(200);
      expect(page.body.records.length).toBeLessThanOrEqual(100);
      seen.push(...page.body.records);
      cursor = page.body.nextCursor;
    }
    const stored: Array<{ recordId: string; idNumber: string; label: unknown }> = await testApp.db.query(
      `SELECT record_id::text AS "recordId", id_number AS "idNumber", label FROM portal_records WHERE service_code = 'P06-24' ORDER BY record_id`,
    );
    expect(seen.map((record) => [record.recordId, record.label])).toEqual(stored.map((record) => [record.recordId, record.label]));
    for (const [index, record] of seen.entries()) {
      expect(record.idNumber).toBe(`${stored[index].idNumber.slice(0, 3)}*******${stored[index].idNumber.slice(-2)}`);
    }
    // The repository's reads for sync runs and the changes follower: keyset ranges cover the service exactly.
    const repository = testApp.app.get(PortalRecordRepository);
    const ranges = await repository.keysetRanges('P06-24', 60);
    expect(ranges.map((range) => range.records)).toEqual([60, 60, 60, 60, 10]);
    const batches = await Promise.all(ranges.map((range) => repository.findByServiceAfter('P06-24', range.afterRecordId, 1_000, range.throughRecordId)));
    expect(batches.flat().map((record) => record.recordId)).toEqual(stored.map((record) => record.recordId));
    const { idNumber } = stored[0];
    expect((await repository.findByIdNumber(idNumber)).map((record) => record.idNumber)).toEqual(
      (await testApp.db.query(`SELECT id_number FROM portal_records WHERE id_number = $1`, [idNumber])).map((row: { id_number: string }) => row.id_number),
    );
    await request(server).get('/portal/v1/records?serviceCode=P06-24&limit=1').set(ADMIN_AUTH).expect(200);
    expectProblem(await request(server).get('/portal/v1/records?serviceCode=P06-24'), 401, 'missing_credentials');
    expectProblem(await request(server).get('/portal/v1/records?serviceCode=P06-24').set(DEVELOPER_AUTH), 403, 'portal_key_required');
    const bad = await request(server).get('/portal/v1/records?cursor=abc&limit=9999').set(PORTAL_AUTH).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['query.cursor', 'query.limit', 'query.serviceCode']);
  });

  it('answers bad input with 400 problem+json naming the field and rule, and needs the admin key', async () => {
    const bad = await http().post('/sandbox/portal/records/generate').send({ count: 0, driftRate: 1.5, extra: true }).expect(400);
    expectProblem(bad, 400, 'validation_failed');
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual(expect.arrayContaining(['count', 'driftRate', 'seed']));
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'count', rule: 'min' })]));
    const tooMany = await http().post('/sandbox/portal/records/generate').send({ count: 5_000_001, driftRate: 0, seed: 's' }).expect(400);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ field: 'count', rule: 'max' })]);
    const unknown = await http().post('/sandbox/portal/records/generate').send({ count: 1, driftRate: 0, seed: 's', serviceCode: 'NO-SUCH' }).expect(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'serviceCode', rule: 'unknown_service' })]);

    const server = testApp.app.getHttpServer();
    const body = { count: 1, driftRate: 0, seed: 'keys' };
    expectProblem(await request(server).post('/sandbox/portal/records/generate').send(body), 401, 'missing_credentials');
    expectProblem(await request(server).post('/sandbox/portal/records/generate').set(PORTAL_AUTH).send(body), 403, 'admin_required');
    expectProblem(await request(server).post('/sandbox/portal/records/generate').set(DEVELOPER_AUTH).send(body), 403, 'admin_required');
  });
});
