import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Decision } from '../../src/portal/dossier-verification.js';
import { DossierRepository } from '../../src/portal/dossier.repository.js';
import { RegistryCalls } from '../../src/registry/registry-calls.service.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { DECEASED_NOTE, RecordsFollowerRepository, type FollowedEvent } from '../../src/portal/records-follower.repository.js';
import { FOLLOWER_SERVICE_CODE, RECORDS_FOLLOWER, RecordsFollowerService, type FollowStep } from '../../src/portal/records-follower.service.js';
import { sameAddress } from '../../src/portal/sync-discrepancies.js';
import { ADMIN_AUTH, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';

const FOLLOWER_DATABASE_URL = `${process.env.DATABASE_URL}_follower`;

interface Citizen {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
}

interface RecordRow {
  status: string;
  statusDate: string | null;
  permanentAddress: Record<string, unknown>;
  currentAddress: Record<string, unknown>;
  maritalStatus: string;
  cardIssueDate: string | null;
  cardExpiryDate: string | null;
  source: string;
  updatedAt: Date;
}

/** Addresses as portal records store them (PortalAddress), not as the registry answers them. */
const HELD_ADDRESS = { detail: 'Số 9 phố cũ', communeCode: '00004', legacyCommune: null, legacyDistrict: null, provinceCode: '01' };

/** A move's `to` (the registry's answer shape) as a portal record stores it. */
const storedOf = (to: Record<string, unknown>) => ({ detail: to.detail, communeCode: to.communeCode, legacyCommune: null, legacyDistrict: null, provinceCode: to.provinceCode });
const HELD_CURRENT = { ...HELD_ADDRESS, detail: 'Phòng 12, ký túc xá cũ' };

/**
 * The changes follower of portal records, one step at a time on an app without workers (so that no follower runs
 * by itself): what each kind of event does to the portal's records and dossiers, that a page applied twice changes
 * nothing, that reads go through the gate under the follower's purpose, its lag, and a registry reset.
 */
describe('changes follower of portal records', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let pool: Citizen[] = [];
  const http = () => request(app.getHttpServer());
  const follower = () => app.get(RecordsFollowerService);
  const take = (sex?: 'male' | 'female'): Citizen => {
    const index = pool.findIndex((citizen) => !sex || citizen.sex === sex);
    if (index < 0) throw new Error('the test ran out of citizens');
    return pool.splice(index, 1)[0];
  };

  /** Steps until the feed's head; returns the steps taken. */
  const followToHead = async (): Promise<FollowStep[]> => {
    const steps: FollowStep[] = [];
    for (let i = 0; i < 100; i++) {
      const step = await follower().step();
      steps.push(step);
      if (step.kind === 'idle') return steps;
      if (step.kind === 'read_failed') throw new Error(`the feed refused the follower: ${step.code}`);
    }
    throw new Error('the follower did not reach the head');
  };

  const record = async (event: Record<string, unknown>): Promise<FollowedEvent[]> =>
    (await http().post('/sandbox/registry/events').set(ADMIN_AUTH).send(event).expect(201)).body.changes;

  /** The portal holds `services.length` records of the citizen, one per service. */
  const hold = async (citizen: Citizen, options: { current?: object; services?: string[] } = {}) => {
    for (const service of options.services ?? ['1.004222', '2.001159']) {
      await db.query(
        `INSERT INTO portal_records (service_code, id_number, full_name, date_of_birth, sex, permanent_address, current_address, marital_status, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'single', 'generated')`,
        [service, citizen.idNumber, citizen.fullName, citizen.dateOfBirth, citizen.sex, HELD_ADDRESS, options.current ?? HELD_ADDRESS],
      );
    }
  };

  const recordsOf = async (citizen: Citizen): Promise<RecordRow[]> =>
    db.query(
      `SELECT status, status_date::text AS "statusDate", permanent_address AS "permanentAddress", current_address AS "currentAddress",
              marital_status AS "maritalStatus", card_issue_date::text AS "cardIssueDate", card_expiry_date::text AS "cardExpiryDate",
              source, updated_at AS "updatedAt"
       FROM portal_records WHERE id_number = $1 ORDER BY record_id`,
      [citizen.idNumber],
    );

  const appliedOf = async (events: FollowedEvent[]) =>
    db.query(
      `SELECT change_id::text AS cursor, kind, records_touched AS "recordsTouched" FROM portal_follower_applied
       WHERE change_id = ANY ($1::bigint[]) AND dataset_epoch = (SELECT dataset_epoch FROM portal_follower_cursor WHERE follower = $2) ORDER BY change_id`,
      [events.map((event) => event.cursor), RECORDS_FOLLOWER],
    );

  const fileDossier = async (citizen: Citizen, status: string, reason: string | null = null): Promise<string> => {
    const dossierId = randomUUID();
    const decided = ['verified', 'needs_review', 'rejected'].includes(status);
    await db.query(
      `INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, request_hash, applicant, status, reason, decided_at)
       VALUES ($1, '1.004222', 'records-follower-test', repeat('0', 64), $2, $3, $4, CASE WHEN $5 THEN now() END)`,
      [dossierId, { idNumber: citizen.idNumber, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth }, status, reason, decided],
    );
    await db.query(`INSERT INTO portal_dossier_events (dossier_id, seq, status, reason) VALUES ($1, 1, $2, $3)`, [dossierId, status, reason]);
    if (!decided) await db.query(`INSERT INTO portal_outbox (dossier_id) VALUES ($1)`, [dossierId]);
    return dossierId;
  };

  beforeAll(async () => {
    // A database of its own: it counts a citizen's records, and other files leave records of the same citizens.
    app = await createTestAppWithEnvironment({ DATABASE_URL: FOLLOWER_DATABASE_URL, WORKERS_IN_API: 'false', FOLLOWER_PAGE_SIZE: '50' });
    db = app.get(DataSource);
    await seedTestDataset(app);
    // Living single adults outside the personas' range, old enough to marry.
    pool = await db.query(
      `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex FROM citizens
       WHERE status = 'alive' AND marital_status = 'single' AND date_of_birth ~ '^\\d{4}-\\d{2}-\\d{2}$' AND date_of_birth <= '1995-01-01'
         AND substring(id_number, 7)::int < 900000
       ORDER BY md5(id_number) LIMIT 60`,
    );
    await followToHead();
  }, 60_000);

  afterAll(async () => {
    await db?.query(`DELETE FROM portal_records`);
    await db?.query(`DELETE FROM portal_dossiers WHERE filed_by = 'records-follower-test'`);
    await app?.close();
  });

  it('reads the feed through the gate as the portal consumer, under its own purpose, journaled and audited', async () => {
    const citizen = take();
    await record({ kind: 'move', idNumber: citizen.idNumber, residence: 'temporary', address: { detail: 'Số 3 ngõ Gạch', communeCode: '20242' } });
    await followToHead();
    const [portal] = await db.query(`SELECT consumer_id AS "consumerId", $1 = ANY (service_codes) AS granted FROM consumers WHERE is_portal`, [FOLLOWER_SERVICE_CODE]);
    expect(portal.granted).toBe(true);
    // A call is journaled and audited in one commit before its answer is returned (CallPipeline).
    const [call] = await db.query(
      `SELECT consumer_id AS "consumerId", transport, outcome, operation, (SELECT count(*)::int FROM access_audit a WHERE a.call_id = j.call_id) AS "auditRows"
       FROM call_journal j WHERE job_id = $1 AND service_code = $2 ORDER BY received_at DESC LIMIT 1`,
      [`follower:${RECORDS_FOLLOWER}`, FOLLOWER_SERVICE_CODE],
    );
    expect(call).toMatchObject({ consumerId: portal.consumerId, transport: 'in_process', outcome: 'ok', operation: 'changes' });
    // The page held the one move: one citizen disclosed, one audit row.
    expect(call.auditRows).toBe(1);

    // The gate is the HTTP caller's: under a purpose whose allow-list lacks the feed's fields, the read is refused.
    const refused = await app.get(RegistryCalls).changes({ consumerId: portal.consumerId, serviceCode: '2.001159' }, '0', 10);
    expect(refused).toMatchObject({ kind: 'permanent', code: 'fields_not_allowed', status: 403 });
  });

  it('polls at the head without reading through the gate: no audit record or journal row per idle poll', async () => {
    await followToHead();
    const journaled = async () => {
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM call_journal WHERE job_id = $1`, [`follower:${RECORDS_FOLLOWER}`]);
      return count as number;
    };
    const before = await journaled();
    for (let i = 0; i < 5; i++) expect(await follower().step()).toEqual({ kind: 'idle' });
    expect(await journaled()).toBe(before);
  });

  it('marks every record of a citizen who died deceased, and flags their open dossiers for review', async () => {
    const citizen = take();
    const other = take();
    await hold(citizen);
    await hold(other);
    const received = await fileDossier(citizen, 'received');
    const verified = await fileDossier(citizen, 'verified');
    const rejected = await fileDossier(citizen, 'rejected', 'citizen_not_found');
    const inReview = await fileDossier(citizen, 'needs_review', 'field_mismatch');
    const othersDossier = await fileDossier(other, 'verified');

    const events = await record({ kind: 'death', idNumber: citizen.idNumber, date: '2026-11-20' });
    await followToHead();

    const records = await recordsOf(citizen);
    expect(records).toHaveLength(2);
    for (const row of records) expect(row).toMatchObject({ status: 'deceased', statusDate: '2026-11-20', source: 'follower' });
    expect((await recordsOf(other)).map((row) => [row.status, row.source])).toEqual([['alive', 'generated'], ['alive', 'generated']]);
    expect(await appliedOf(events)).toEqual([{ cursor: events[0].cursor, kind: 'death', recordsTouched: 2 }]);

    const dossiers: Array<{ dossierId: string; status: string; reason: string | null; outbox: boolean; lastEvent: { status: string; reason: string | null; note: string | null } }> = await db.query(
      `SELECT d.dossier_id AS "dossierId", d.status, d.reason, EXISTS (SELECT 1 FROM portal_outbox o WHERE o.dossier_id = d.dossier_id) AS outbox,
              (SELECT jsonb_build_object('status', e.status, 'reason', e.reason, 'note', e.note) FROM portal_dossier_events e WHERE e.dossier_id = d.dossier_id ORDER BY seq DESC LIMIT 1) AS "lastEvent"
       FROM portal_dossiers d WHERE d.dossier_id = ANY ($1::uuid[])`,
      [[received, verified, rejected, inReview, othersDossier]],
    );
    const byId = new Map(dossiers.map((row) => [row.dossierId, row]));
    const flagged = { status: 'needs_review', reason: 'citizen_deceased', outbox: false, lastEvent: { status: 'needs_review', reason: 'citizen_deceased', note: DECEASED_NOTE } };
    expect(byId.get(received)).toMatchObject(flagged);
    expect(byId.get(verified)).toMatchObject(flagged);
    expect(byId.get(rejected)).toMatchObject({ status: 'rejected', reason: 'citizen_not_found', lastEvent: { status: 'rejected', note: null } });
    expect(byId.get(inReview)).toMatchObject({ status: 'needs_review', reason: 'field_mismatch', lastEvent: { reason: 'field_mismatch' } });
    expect(byId.get(othersDossier)).toMatchObject({ status: 'verified', lastEvent: { status: 'verified' } });
  });

  it('flags a dossier whose verification decides at the same moment, after the decision, and a later decision leaves the flag', async () => {
    const citizen = take();
    const deciding = await fileDossier(citizen, 'verifying');
    const later = await fileDossier(citizen, 'verifying');
    // A verification job's decision in flight: the dossier verified, its event written, not committed yet.
    const job = new pg.Client({ connectionString: FOLLOWER_DATABASE_URL });
    await job.connect();
    const jobPid: number = (await job.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    try {
      await job.query('BEGIN');
      await job.query(`UPDATE portal_dossiers SET status = 'verified', decided_at = now() WHERE dossier_id = $1`, [deciding]);
      await job.query(`INSERT INTO portal_dossier_events (dossier_id, seq, status) VALUES ($1, 2, 'verified')`, [deciding]);
      await record({ kind: 'death', idNumber: citizen.idNumber, date: '2026-11-21' });
      const step = follower().step();
      await expectEventually(async () => {
        // The follower waits for the job's row lock (pg_locks lists every database of the server: this one's only).
        const [{ waiting }] = await db.query(
          `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE NOT l.granted AND l.locktype = 'transactionid' AND a.datname = current_database()
             AND l.transactionid = (SELECT backend_xid FROM pg_stat_activity WHERE pid = $1)`,
          [jobPid],
        );
        expect(waiting).toBeGreaterThan(0);
      });
      await job.query('COMMIT');
      expect(await step).toMatchObject({ kind: 'applied', advanced: true, dossiersFlagged: 2 });
    } finally {
      await job.end();
    }
    const history = await db.query(`SELECT status, reason FROM portal_dossier_events WHERE dossier_id = $1 ORDER BY seq`, [deciding]);
    expect(history).toEqual([{ status: 'verifying', reason: null }, { status: 'verified', reason: null }, { status: 'needs_review', reason: 'citizen_deceased' }]);

    // The other dossier's job decides after the flag: its decision is not taken.
    const epoch = await app.get(RegistryRepository).datasetEpoch();
    const verification = { verdict: 'match', fields: {}, citizenStatus: 'alive', age: null } as unknown as Decision['verification'];
    const outcome = await app.get(DossierRepository).decide(later, { status: 'verified', reason: null, detail: null, verification }, epoch, {
      dossierId: later, jobId: `verify-${later}`, attempt: 1, startedAt: new Date(), outcome: 'decided', problemCode: null, calls: [],
    });
    expect(outcome).toEqual({ kind: 'already_decided' });
    const [row] = await db.query(`SELECT status, reason FROM portal_dossiers WHERE dossier_id = $1`, [later]);
    expect(row).toEqual({ status: 'needs_review', reason: 'citizen_deceased' });
  });

  it('applies moves to the address held, marriages and divorces to the marital status, and a new card to the card', async () => {
    const mover = take();
    const lodger = take();
    const husband = take('male');
    const wife = take('female');
    const cardholder = take();
    for (const citizen of [mover, husband, wife, cardholder]) await hold(citizen, { services: ['1.004222'] });
    await hold(lodger, { services: ['1.004222'], current: HELD_CURRENT });

    const permanentMove = await record({ kind: 'move', idNumber: mover.idNumber, residence: 'permanent', address: { detail: 'Số 1 đường Bạch Đằng', communeCode: '20242' } });
    const lodgerMove = await record({ kind: 'move', idNumber: lodger.idNumber, residence: 'permanent', address: { detail: 'Số 2 đường Bạch Đằng', communeCode: '20242' } });
    await record({ kind: 'marriage', idNumber: husband.idNumber, spouseIdNumber: wife.idNumber });
    const card = await record({ kind: 'new_card', idNumber: cardholder.idNumber });
    await followToHead();

    const to = (permanentMove[0].details as { to: Record<string, unknown> }).to;
    expect(to).toMatchObject({ communeName: expect.any(String), provinceName: expect.any(String) });
    const [moved] = await recordsOf(mover);
    // Written in the stored shape, exactly: the answer's names (communeName, provinceName...) are not kept.
    expect({ permanentAddress: moved.permanentAddress, currentAddress: moved.currentAddress, source: moved.source }).toEqual({ permanentAddress: storedOf(to), currentAddress: storedOf(to), source: 'follower' });
    // A later sync run compares the record's address with the registry's answer as it compares a generated record's.
    expect(sameAddress(moved.permanentAddress, to)).toBe(true);
    // The lodger's current address is a temporary residence of their own: a permanent move leaves it.
    expect(await recordsOf(lodger)).toMatchObject([{ permanentAddress: storedOf((lodgerMove[0].details as { to: Record<string, unknown> }).to), currentAddress: HELD_CURRENT }]);
    expect((await recordsOf(husband))[0].maritalStatus).toBe('married');
    expect((await recordsOf(wife))[0].maritalStatus).toBe('married');
    const issued = (card[0].details as { card: { issueDate: string; expiryDate: string | null } }).card;
    expect(await recordsOf(cardholder)).toMatchObject([{ cardIssueDate: issued.issueDate, cardExpiryDate: issued.expiryDate, source: 'follower' }]);

    const temporaryMove = await record({ kind: 'move', idNumber: mover.idNumber, residence: 'temporary', address: { detail: 'Phòng 4, nhà trọ mới', communeCode: '20242' } });
    const divorce = await record({ kind: 'divorce', idNumber: wife.idNumber });
    expect(divorce).toHaveLength(2);
    await followToHead();
    expect((await recordsOf(mover)).map(({ permanentAddress, currentAddress }) => ({ permanentAddress, currentAddress }))).toEqual([
      { permanentAddress: storedOf(to), currentAddress: storedOf((temporaryMove[0].details as { to: Record<string, unknown> }).to) },
    ]);
    expect((await recordsOf(husband))[0].maritalStatus).toBe('divorced');
    expect((await recordsOf(wife))[0].maritalStatus).toBe('divorced');
  });

  it('keeps the card dates a new_card event does not give, and clears the expiry only of a card given as not expiring', async () => {
    const cardholder = take();
    await hold(cardholder, { services: ['1.004222'] });
    await db.query(`UPDATE portal_records SET card_issue_date = '2021-03-04', card_expiry_date = '2036-03-04' WHERE id_number = $1`, [cardholder.idNumber]);
    const repository = app.get(RecordsFollowerRepository);
    // Events the feed could carry without dates; their change ids are far beyond the feed's, and the cursor stays.
    const apply = async (card: Record<string, unknown>) => {
      const cursor = (await repository.cursor(RECORDS_FOLLOWER))!;
      const event: FollowedEvent = { cursor: String(9_000_000_000_000 + Math.floor(Math.random() * 1e9)), kind: 'new_card', idNumber: cardholder.idNumber, occurredAt: new Date().toISOString(), details: { card } };
      expect(await repository.applyPage(RECORDS_FOLLOWER, cursor, [event], cursor.lastChangeId)).toMatchObject({ advanced: true, records: 1 });
      const [row] = await recordsOf(cardholder);
      return { issue: row.cardIssueDate, expiry: row.cardExpiryDate };
    };
    expect(await apply({})).toEqual({ issue: '2021-03-04', expiry: '2036-03-04' });
    expect(await apply({ issueDate: '2024-05-06' })).toEqual({ issue: '2024-05-06', expiry: '2036-03-04' });
    expect(await apply({ issueDate: null, expiryDate: '2044-05-06' })).toEqual({ issue: '2024-05-06', expiry: '2044-05-06' });
    expect(await apply({ issueDate: '2025-01-02', expiryDate: null })).toEqual({ issue: '2025-01-02', expiry: null });
  });

  it('gives each field the value of the citizen\'s last event in a page, and records every event', async () => {
    const citizen = take();
    await hold(citizen);
    const events: FollowedEvent[] = [];
    for (const detail of ['Số 10 phố Huế', 'Số 11 phố Huế', 'Số 12 phố Huế']) {
      events.push(...(await record({ kind: 'move', idNumber: citizen.idNumber, residence: 'permanent', address: { detail, communeCode: '20242' } })));
    }
    const steps = await followToHead();
    expect(steps.filter((step) => step.kind === 'applied')).toHaveLength(1);
    expect((await recordsOf(citizen)).map((row) => row.permanentAddress.detail)).toEqual(['Số 12 phố Huế', 'Số 12 phố Huế']);
    expect(await appliedOf(events)).toEqual(events.map((event) => ({ cursor: event.cursor, kind: 'move', recordsTouched: 2 })));
  });

  it('changes nothing when a page is applied again, and applies a page only from the cursor it was read at', async () => {
    const husband = take('male');
    const wife = take('female');
    await hold(husband);
    const marriage = await record({ kind: 'marriage', idNumber: husband.idNumber, spouseIdNumber: wife.idNumber });
    await followToHead();
    await record({ kind: 'divorce', idNumber: husband.idNumber });
    await followToHead();
    const before = await recordsOf(husband);
    expect(before.map((row) => row.maritalStatus)).toEqual(['divorced', 'divorced']);

    const repository = app.get(RecordsFollowerRepository);
    const cursor = (await repository.cursor(RECORDS_FOLLOWER))!;
    const replay = await repository.applyPage(RECORDS_FOLLOWER, cursor, marriage, cursor.lastChangeId);
    expect(replay).toEqual({ advanced: true, events: 0, records: 0, dossiersFlagged: 0 });
    expect(await recordsOf(husband)).toEqual(before);
    expect((await repository.cursor(RECORDS_FOLLOWER))!.lastChangeId).toBe(cursor.lastChangeId);

    // A follower that read the page from an older cursor value (another one applied it meanwhile) writes nothing.
    const stale = await repository.applyPage(RECORDS_FOLLOWER, { ...cursor, lastChangeId: String(BigInt(cursor.lastChangeId) - 1n) }, marriage, cursor.lastChangeId);
    expect(stale).toEqual({ advanced: false, events: 0, records: 0, dossiersFlagged: 0 });
    expect(await recordsOf(husband)).toEqual(before);
  });

  it('shows its lag in GET /ops/queues and /ops/metrics: events behind the head and seconds behind', async () => {
    const citizen = take();
    for (const detail of ['Số 20 phố Huế', 'Số 21 phố Huế', 'Số 22 phố Huế']) {
      await record({ kind: 'move', idNumber: citizen.idNumber, residence: 'temporary', address: { detail, communeCode: '20242' } });
    }
    const behind = (await http().get('/ops/queues').set(ADMIN_AUTH).expect(200)).body.follower;
    expect(behind).toMatchObject({ follower: RECORDS_FOLLOWER, eventsBehind: 3 });
    expect(behind.secondsBehind).toBeGreaterThan(0);
    const scrape = (await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200)).text;
    expect(scrape).toMatch(/^popgate_follower_events_behind 3$/m);
    expect(Number(/^popgate_follower_seconds_behind (\S+)$/m.exec(scrape)?.[1])).toBeGreaterThan(0);

    await followToHead();
    const caughtUp = (await http().get('/ops/queues').set(ADMIN_AUTH).expect(200)).body.follower;
    expect(caughtUp).toMatchObject({ eventsBehind: 0, secondsBehind: 0 });
    expect(BigInt(caughtUp.cursor)).toBeGreaterThan(BigInt(behind.cursor));
    expect((await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200)).text).toMatch(/^popgate_follower_events_behind 0$/m);
  });

  it('after a registry reset starts again from the new feed, once, and counts it', async () => {
    const repository = app.get(RecordsFollowerRepository);
    const before = (await repository.cursor(RECORDS_FOLLOWER))!;
    expect(BigInt(before.lastChangeId)).toBeGreaterThan(0n);

    await seedTestDataset(app);
    const [{ events: newFeed }] = await db.query(`SELECT count(*)::int AS events FROM registry_changes`);
    expect((await http().get('/ops/queues').set(ADMIN_AUTH).expect(200)).body.follower).toMatchObject({ cursor: '0', eventsBehind: newFeed });

    const first = await follower().step();
    expect(first).toEqual({ kind: 'new_feed', restarted: true });
    const restarted = (await repository.cursor(RECORDS_FOLLOWER))!;
    expect(restarted).toMatchObject({ lastChangeId: '0', restarts: before.restarts + 1 });
    expect(restarted.datasetEpoch).not.toBe(before.datasetEpoch);
    // Another process that read the old cursor does not restart (nor say so) a second time.
    expect(await repository.restartFromNewFeed(RECORDS_FOLLOWER, before, restarted.datasetEpoch)).toBe(false);
    const [{ old }] = await db.query(`SELECT count(*)::int AS old FROM portal_follower_applied WHERE dataset_epoch <> $1`, [restarted.datasetEpoch]);
    expect(old).toBe(0);

    const citizen = take();
    await hold(citizen);
    const move = await record({ kind: 'move', idNumber: citizen.idNumber, residence: 'permanent', address: { detail: 'Số 30 phố Huế', communeCode: '20242' } });
    await followToHead();
    expect((await recordsOf(citizen))[0].permanentAddress.detail).toBe('Số 30 phố Huế');
    expect(await appliedOf(move)).toEqual([{ cursor: move[0].cursor, kind: 'move', recordsTouched: 2 }]);
    const [{ applied }] = await db.query(`SELECT count(*)::int AS applied FROM portal_follower_applied WHERE dataset_epoch = $1`, [restarted.datasetEpoch]);
    expect(applied).toBe(newFeed + 1);
    expect((await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200)).text).toMatch(new RegExp(`^popgate_follower_restarts ${before.restarts + 1}$`, 'm'));
  });
});
