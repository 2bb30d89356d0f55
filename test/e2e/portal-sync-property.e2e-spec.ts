import { afterAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { PortalRecordLabel } from '../../src/portal/portal-record-labels.js';
import { syncTestService } from '../factories/sync-records.factory.js';
import { PORTAL_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';

/** Every field a portal record holds, so that every kind of drift is visible to the run. */
const EVERY_HELD_FIELD = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'currentAddress', 'maritalStatus', 'citizenStatus', 'statusDate'];

/** What a correct reconciliation reports for a generated label, as `kind:field` lines. */
function expectedFindings(label: PortalRecordLabel): string[] {
  switch (label.kind) {
    case 'stale_address':
      return label.fields.map((field) => (field === 'permanentAddress' ? 'permanent_address:permanentAddress' : 'current_address:currentAddress'));
    case 'unrecorded_death':
      return ['deceased:citizenStatus'];
    case 'marital_status':
      return ['marital_status:maritalStatus'];
    case 'lost_diacritics':
      return ['full_name_normalized:fullName'];
    case 'wrong_birth_date':
      return ['date_of_birth:dateOfBirth'];
    case 'wrong_id_digit':
    case 'not_in_registry':
      return ['not_found:idNumber'];
    case 'duplicate':
      return ['duplicate:idNumber'];
  }
}

/**
 * The property of issue 9: records generated with known drift, reconciled by a sync run, give a report that equals
 * the injected drift exactly (every labelled record with its findings, nothing on a faithful copy); running again
 * gives the same report and writes nothing.
 */
describe('sync runs over generated portal records', () => {
  // A database of its own: the generator's labels rest on the registry's events, which other files also record.
  const sharedDatabaseUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = `${sharedDatabaseUrl}_sync_property`;
  const testApp = useTestApp({ reseedAfter: true });
  afterAll(() => {
    process.env.DATABASE_URL = sharedDatabaseUrl;
  });
  const portal = (path: string) => request(testApp.app.getHttpServer()).get(path).set(PORTAL_AUTH);

  async function report(serviceCode: string): Promise<Map<string, string[]>> {
    const started = await request(testApp.app.getHttpServer()).post('/portal/v1/sync-runs').set(PORTAL_AUTH).send({ serviceCode, mode: 'verify' }).expect(202);
    const [{ runId }] = started.body.runs;
    await expectEventually(async () => {
      const run = (await portal(`/portal/v1/sync-runs/${runId}`).expect(200)).body;
      expect({ state: run.state, stopReason: run.stopReason }).toEqual({ state: 'completed', stopReason: null });
    }, 60_000, 200);
    const found = new Map<string, string[]>();
    for (let cursor: string | null = null; ; ) {
      const page: request.Response = await portal(`/portal/v1/sync-runs/${runId}/discrepancies`)
        .query({ limit: '500', ...(cursor ? { cursor } : {}) })
        .expect(200);
      for (const line of page.body.discrepancies as Array<{ recordId: string; kind: string; field: string }>) {
        found.set(line.recordId, [...(found.get(line.recordId) ?? []), `${line.kind}:${line.field}`].sort());
      }
      cursor = page.body.nextCursor;
      if (!cursor) return found;
    }
  }

  it('reports exactly the drift the generator labelled, and the same again on a second run, writing nothing', async () => {
    const { http, db } = testApp;
    // Recorded moves, so that stale addresses are among the drift (the seeded moves carry no earlier address).
    const movers: Array<{ idNumber: string; temporary: boolean }> = await db.query(
      `(SELECT id_number AS "idNumber", false AS temporary FROM citizens WHERE status = 'alive' AND permanent_commune_code IS NOT NULL AND temporary_detail IS NULL ORDER BY id_number LIMIT 10)
       UNION ALL
       (SELECT id_number, true FROM citizens WHERE status = 'alive' AND temporary_detail IS NOT NULL ORDER BY id_number LIMIT 10)`,
    );
    for (const [index, mover] of movers.entries()) {
      await http
        .post('/sandbox/registry/events')
        .send({ kind: 'move', idNumber: mover.idNumber, residence: mover.temporary ? 'temporary' : 'permanent', address: { detail: `Số ${index + 1} phố Mới Chuyển`, communeCode: '00070' } })
        .expect(201);
    }
    const serviceCode = await syncTestService(testApp.app, 'PROP', EVERY_HELD_FIELD);
    const queued = await http.post('/sandbox/portal/records/generate').send({ serviceCode, count: 1_000, driftRate: 0.4, seed: 'property' }).expect(202);
    await expectEventually(async () => expect((await http.get(queued.body.statusUrl).expect(200)).body.state).toBe('completed'), 60_000, 200);

    const records: Array<{ recordId: string; label: PortalRecordLabel | null }> = await db.query(
      `SELECT record_id::text AS "recordId", label FROM portal_records WHERE service_code = $1 ORDER BY record_id`,
      [serviceCode],
    );
    expect(records).toHaveLength(1_000);
    const injected = new Map(records.filter((record) => record.label).map((record) => [record.recordId, expectedFindings(record.label!).sort()]));
    // Every kind is there to be found.
    expect(new Set(records.flatMap((record) => (record.label ? [record.label.kind] : [])))).toEqual(
      new Set(['stale_address', 'unrecorded_death', 'marital_status', 'lost_diacritics', 'wrong_birth_date', 'wrong_id_digit', 'not_in_registry', 'duplicate']),
    );

    const before = await db.query(`SELECT md5(string_agg(r::text, '|' ORDER BY record_id)) AS h FROM portal_records r WHERE service_code = $1`, [serviceCode]);
    const first = await report(serviceCode);
    expect(Object.fromEntries(first)).toEqual(Object.fromEntries(injected));
    const second = await report(serviceCode);
    expect(Object.fromEntries(second)).toEqual(Object.fromEntries(first));
    expect(await db.query(`SELECT md5(string_agg(r::text, '|' ORDER BY record_id)) AS h FROM portal_records r WHERE service_code = $1`, [serviceCode])).toEqual(before);
  }, 180_000);
});
