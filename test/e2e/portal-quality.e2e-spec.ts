import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DISCREPANCY_KINDS, LABEL_KINDS, MUST_PASS } from '../../src/portal/dossier-labels.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, PORTAL_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';

interface Generated {
  filed: number;
  byKind: Record<string, number>;
  byService: Record<string, number>;
  staleAddresses: { changeHistory: number; synthesised: number };
  skippedKinds: Array<{ kind: string; reason: string }>;
  filedFrom: string;
  filedTo: string;
}

/** Generated dossiers and the quality of their verification, on the shared test dataset (moves recorded here are undone after). */
describe('/sandbox/portal/dossiers/generate and /portal/v1/quality', () => {
  const testApp = useTestApp({ reseedAfter: true });
  const http = () => testApp.http;

  async function generate(body: Record<string, unknown>): Promise<Generated> {
    return (await http().post('/sandbox/portal/dossiers/generate').send(body).expect(201)).body;
  }

  /** What each dossier of one generate request was filed with, in a canonical order (ids differ between runs). */
  async function filedWith(generated: Generated): Promise<string[]> {
    const rows: Array<{ serviceCode: string; applicant: unknown; label: unknown }> = await testApp.db.query(
      `SELECT service_code AS "serviceCode", applicant, label FROM portal_dossiers WHERE label IS NOT NULL AND filed_at >= $1 AND filed_at < $2`,
      [generated.filedFrom, generated.filedTo],
    );
    return rows.map((row) => JSON.stringify(row, Object.keys(row).sort())).sort();
  }

  it('is deterministic: the same seed files the same applicants with the same labels, another seed others', async () => {
    const first = await generate({ count: 60, discrepancyRate: 0.5, seed: 'det-a' });
    const again = await generate({ count: 60, discrepancyRate: 0.5, seed: 'det-a' });
    const other = await generate({ count: 60, discrepancyRate: 0.5, seed: 'det-b' });
    expect(first.filed).toBe(60);
    expect(first.byKind.none).toBe(30);
    expect(DISCREPANCY_KINDS.reduce((sum, kind) => sum + first.byKind[kind], 0)).toBe(30);
    expect(again.byKind).toEqual(first.byKind);
    expect(again.byService).toEqual(first.byService);
    const [a, b, c] = await Promise.all([filedWith(first), filedWith(again), filedWith(other)]);
    expect(a).toHaveLength(60);
    expect(b).toEqual(a);
    expect(c).toHaveLength(60);
    expect(c).not.toEqual(a);
    // Applicants differ, not only their order or labels.
    const ids = (rows: string[]) => new Set(rows.map((row) => (JSON.parse(row) as { applicant: { idNumber: string } }).applicant.idNumber));
    expect([...ids(c)].filter((id) => ids(a).has(id)).length).toBeLessThan(30);
  });

  it('labels every kind with the verdict the verifier reaches: recall and precision 1 for every kind', async () => {
    // Two recorded moves give the generator residences from the changes feed; the rest of the stale addresses are synthesised.
    const movers: Array<{ idNumber: string }> = await testApp.db.query(
      `SELECT id_number AS "idNumber" FROM citizens WHERE status = 'alive' AND date_of_birth ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND date_of_birth < '1990'
         AND permanent_commune_code IS NOT NULL AND temporary_detail IS NULL ORDER BY id_number LIMIT 40`,
    );
    for (const [index, { idNumber }] of movers.entries()) {
      await http()
        .post('/sandbox/registry/events')
        .send({ kind: 'move', idNumber, residence: 'permanent', address: { detail: `Số ${index + 1} phố Mới Chuyển`, communeCode: '00070' } })
        .expect(201);
    }

    const generated = await generate({ count: 200, discrepancyRate: 0.8, seed: 'quality' });
    expect(generated.skippedKinds).toEqual([]);
    expect(generated.byKind.none).toBe(40);
    for (const kind of DISCREPANCY_KINDS) expect({ kind, count: generated.byKind[kind] }).toEqual({ kind, count: 16 });
    expect(generated.staleAddresses.changeHistory).toBeGreaterThan(0);
    expect(generated.staleAddresses.changeHistory + generated.staleAddresses.synthesised).toBe(16);

    const range = `from=${encodeURIComponent(generated.filedFrom)}&to=${encodeURIComponent(generated.filedTo)}`;
    let report: Record<string, any> = {};
    await expectEventually(async () => {
      report = (await http().get(`/portal/v1/quality?${range}`).expect(200)).body;
      expect({ labelled: report.labelled, pending: report.pending }).toEqual({ labelled: 200, pending: 0 });
    }, 90_000, 500);
    expect(report).toMatchObject({ scored: 200, unscored: 0, serviceCode: null, from: generated.filedFrom, to: generated.filedTo });
    expect(report.kinds.map((row: { kind: string }) => row.kind)).toEqual([...LABEL_KINDS]);
    for (const row of report.kinds) {
      expect(row).toMatchObject({
        kind: row.kind,
        mustPass: MUST_PASS.has(row.kind),
        dossiers: generated.byKind[row.kind],
        truePositives: generated.byKind[row.kind],
        falseNegatives: 0,
        falsePositives: 0,
        trueNegatives: 200 - generated.byKind[row.kind],
        precision: 1,
        recall: 1,
      });
    }

    // The labels say what the dossiers show: one of each must-pass kind, read back.
    const [normalized] = await testApp.db.query(
      `SELECT status, verification->'fields'->>'fullName' AS "fullName" FROM portal_dossiers WHERE filed_at >= $1 AND filed_at < $2 AND label->>'kind' = 'upper_case' LIMIT 1`,
      [generated.filedFrom, generated.filedTo],
    );
    expect(normalized).toEqual({ status: 'verified', fullName: 'normalized' });

    // A serviceCode filter counts only that service's dossiers.
    const [serviceCode, count] = Object.entries(generated.byService)[0];
    const one = (await http().get(`/portal/v1/quality?${range}&serviceCode=${serviceCode}`).expect(200)).body;
    expect({ serviceCode: one.serviceCode, labelled: one.labelled }).toEqual({ serviceCode, labelled: count });
  });

  it('counts a dossier decided against its label as a false negative of its kind and a false positive of the class it landed in', async () => {
    const generated = await generate({ count: 20, discrepancyRate: 0.5, seed: 'flip', serviceCode: '1.004222' });
    const range = `from=${encodeURIComponent(generated.filedFrom)}&to=${encodeURIComponent(generated.filedTo)}`;
    await expectEventually(async () => expect((await http().get(`/portal/v1/quality?${range}`).expect(200)).body.pending).toBe(0), 60_000, 500);
    // As if the matching rules had turned strict: one dropped-diacritics dossier flagged as a name mismatch.
    await testApp.db.query(
      `UPDATE portal_dossiers SET status = 'needs_review', reason = 'field_mismatch', verification = jsonb_set(verification, '{fields,fullName}', '"mismatch"')
       WHERE dossier_id = (SELECT dossier_id FROM portal_dossiers WHERE filed_at >= $1 AND filed_at < $2 AND label->>'kind' = 'missing_diacritics' LIMIT 1)`,
      [generated.filedFrom, generated.filedTo],
    );
    const report = (await http().get(`/portal/v1/quality?${range}`).expect(200)).body;
    const row = (kind: string) => report.kinds.find((entry: { kind: string }) => entry.kind === kind);
    const diacritics = generated.byKind.missing_diacritics;
    expect(row('missing_diacritics')).toMatchObject({ truePositives: diacritics - 1, falseNegatives: 1, recall: (diacritics - 1) / diacritics });
    expect(row('name_typo')).toMatchObject({ falsePositives: 1, precision: generated.byKind.name_typo / (generated.byKind.name_typo + 1) });
    expect(row('wrong_id_digit')).toMatchObject({ falsePositives: 1 });
    expect(row('none')).toMatchObject({ falsePositives: 0, precision: 1 });
  });

  it('sends no generated dossier to a service whose connector is down, unless that service is asked for', async () => {
    const server = testApp.app.getHttpServer();
    const code = `T-DOWN-${Date.now().toString(36)}`;
    await request(server).post(`/portal/v1/services/${code}`).set(ADMIN_AUTH).send({ nameVi: 'Thử', nameEn: 'Down', leadAgency: 'Test', allowedFields: ['idNumber', 'fullName', 'dateOfBirth'] }).expect(201);
    await request(server).put(`/connectors/v1/${code}`).set(ADMIN_AUTH).send({ state: 'disabled', operations: ['verify'], faultProfile: null, applyFaultsToAllCallers: false, note: null }).expect(200);
    const generated = await generate({ count: 300, discrepancyRate: 0, seed: 'down' });
    expect(Object.keys(generated.byService)).not.toContain(code);
    expect((await generate({ count: 2, discrepancyRate: 0, seed: 'down', serviceCode: code })).byService).toEqual({ [code]: 2 });
  });

  it('skips the kinds a given service cannot show, and says why', async () => {
    // P06-24 reads the ID number and name only, by look-up: no birth date, no status, no address.
    const generated = await generate({ count: 30, discrepancyRate: 1, seed: 'narrow', serviceCode: 'P06-24' });
    expect(generated.byService).toEqual({ 'P06-24': 30 });
    expect(generated.skippedKinds.map((entry) => entry.kind).sort()).toEqual(['day_month_swapped', 'deceased_applicant', 'minor_for_adult_service', 'missing_person', 'stale_address']);
    expect(generated.byKind.none).toBe(0);
    for (const kind of ['missing_diacritics', 'upper_case', 'name_typo', 'wrong_id_digit', 'nonexistent_id']) expect(generated.byKind[kind]).toBe(6);
  });

  it('answers bad input with 400 problem+json naming the field and rule', async () => {
    const bad = await http().post('/sandbox/portal/dossiers/generate').send({ count: 0, discrepancyRate: 1.5, extra: true }).expect(400);
    expectProblem(bad, 400, 'validation_failed');
    const fields = bad.body.errors.map((error: { field: string }) => error.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['count', 'discrepancyRate', 'seed']));
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'count', rule: 'min' })]));
    const tooMany = await http().post('/sandbox/portal/dossiers/generate').send({ count: 200_001, discrepancyRate: 0, seed: 's' }).expect(400);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ field: 'count', rule: 'max' })]);
    const unknown = await http().post('/sandbox/portal/dossiers/generate').send({ count: 1, discrepancyRate: 0, seed: 's', serviceCode: 'NO-SUCH' }).expect(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'serviceCode', rule: 'unknown_service' })]);
    const badQuery = await http().get('/portal/v1/quality?from=yesterday').expect(400);
    expectProblem(badQuery, 400, 'validation_failed');
    expect(badQuery.body.errors).toEqual([expect.objectContaining({ field: 'query.from' })]);
  });

  it('needs the admin key to generate, and the portal or admin key to read the quality', async () => {
    const server = testApp.app.getHttpServer();
    const body = { count: 1, discrepancyRate: 0, seed: 'keys' };
    expectProblem(await request(server).post('/sandbox/portal/dossiers/generate').send(body), 401, 'missing_credentials');
    expectProblem(await request(server).post('/sandbox/portal/dossiers/generate').set(PORTAL_AUTH).send(body), 403, 'admin_required');
    expectProblem(await request(server).post('/sandbox/portal/dossiers/generate').set(DEVELOPER_AUTH).send(body), 403, 'admin_required');
    expectProblem(await request(server).get('/portal/v1/quality'), 401, 'missing_credentials');
    expectProblem(await request(server).get('/portal/v1/quality').set(DEVELOPER_AUTH), 403, 'portal_key_required');
    await request(server).get('/portal/v1/quality').set(ADMIN_AUTH).expect(200);
  });
});
