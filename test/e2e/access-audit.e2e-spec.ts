import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateApiKey } from '../../src/access/api-key.js';
import { CitizenHmac } from '../../src/access/citizen-hmac.js';
import { maskIdNumber } from '../../src/identity/id-number.js';
import { persona, unusedIdNumber, verifyBody } from '../factories/registry.factory.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, uniqueRequestId, useTestApp } from '../utils/test-app.js';
import { createTestConsumer, type TestConsumer, type TestConsumerOptions } from '../factories/access.factory.js';
import { expectProblem } from '../utils/problem.js';

type Headers = Record<string, string>;

/** The keys of an access in "who read my data", and of an operator's audit record: never an HMAC. */
const ACCESS_KEYS = ['at', 'consumer', 'dossierId', 'fields', 'operation', 'outcome', 'reason', 'serviceCode', 'serviceName'];
const RECORD_KEYS = [...ACCESS_KEYS, 'citizenMasked', 'officerMasked', 'requestId'].sort();

/**
 * The access audit: every registry call is recorded before its answer leaves, the table refuses changes even through
 * SQL, and operators can ask who read a citizen's data and list records by consumer, service, dossier, outcome and time.
 */
describe('access audit', () => {
  const testApp = useTestApp();
  let db: DataSource;
  const run = randomUUID().slice(0, 8);
  /** The last audit record before this file ran: what came after is this file's. */
  let auditMark: string;
  const husband = persona('married-husband');

  beforeAll(async () => {
    db = testApp.app.get(DataSource);
    const [row] = await db.query(`SELECT coalesce(max(audit_id), 0)::text AS mark FROM access_audit`);
    auditMark = row.mark;
  });

  const server = () => testApp.app.getHttpServer();
  const admin = (path: string) => request(server()).get(path).set(ADMIN_AUTH);

  const createConsumer = (options: TestConsumerOptions = {}): Promise<TestConsumer> => createTestConsumer(testApp.app, { name: `Phường thử ${run} ${randomUUID().slice(0, 8)}`, serviceCodes: ['2.001159', '1.004222'], ...options });

  const lookup = (headers: Headers, idNumber: string, fields: string) =>
    request(server()).get(`/registry/v1/citizens/${idNumber}?fields=${fields}`).set(headers);
  const verify = (headers: Headers, body: object) => request(server()).post('/registry/v1/citizens/verify').set(headers).send(body);
  const auditRows = (requestId: string) => db.query(`SELECT * FROM access_audit WHERE request_id = $1 ORDER BY audit_id`, [requestId]);
  const requestId = (label: string) => uniqueRequestId(`e2e-audit-${label}`);

  describe('recording', () => {
    it('appends a look-up\'s record, with consumer, service, dossier, fields and outcome, before the answer', async () => {
      const consumer = await createConsumer();
      const id = requestId('lookup');
      const dossierId = `HN-${run}-LOOKUP`;
      await lookup({ ...consumer.auth, 'x-service-code': '2.001159', 'x-dossier-id': dossierId, 'x-request-id': id }, husband.idNumber, 'fullName,dateOfBirth').expect(200);
      // Queried as soon as the answer arrives: the record was written in the statement that read the data.
      const rows = await auditRows(id);
      expect(rows).toEqual([
        expect.objectContaining({
          consumer_id: consumer.consumerId,
          service_code: '2.001159',
          dossier_id: dossierId,
          operation: 'lookup',
          fields: ['fullName', 'dateOfBirth'],
          outcome: 'ok',
          reason: null,
          citizen_masked: maskIdNumber(husband.idNumber),
          citizen_hmac: testApp.app.get(CitizenHmac).of(husband.idNumber),
        }),
      ]);
    });

    it('appends match, mismatch and not_found for verify', async () => {
      const cases: [object, string][] = [
        [verifyBody(), 'match'],
        [verifyBody({ fullName: 'Vũ Đức Thịnh' }), 'mismatch'],
        [verifyBody({ idNumber: unusedIdNumber() }), 'not_found'],
      ];
      for (const [body, outcome] of cases) {
        const id = requestId('verify');
        await verify({ ...DEVELOPER_AUTH, 'x-service-code': '2.001159', 'x-request-id': id }, body).expect(200);
        const rows = await auditRows(id);
        expect(rows).toEqual([expect.objectContaining({ operation: 'verify', outcome, fields: ['idNumber', 'fullName', 'dateOfBirth'], service_code: '2.001159' })]);
      }
    });

    it('appends one record per item of a verify batch, in the items\' order', async () => {
      const id = requestId('batch');
      const items = [verifyBody(), verifyBody({ fullName: 'Vũ Đức Thịnh' }), verifyBody({ idNumber: unusedIdNumber() }), { idNumber: '12' }];
      const response = await request(server())
        .post('/registry/v1/citizens/verify-batch')
        .set({ ...DEVELOPER_AUTH, 'x-service-code': '2.001159', 'x-request-id': id })
        .send({ items })
        .expect(200);
      expect(response.body.results).toHaveLength(4);
      const rows = await auditRows(id);
      expect(rows.map((row: { operation: string; outcome: string; reason: string | null }) => [row.operation, row.outcome, row.reason])).toEqual([
        ['verify_batch_item', 'match', null],
        ['verify_batch_item', 'mismatch', null],
        ['verify_batch_item', 'not_found', null],
        ['verify_batch_item', 'refused', 'validation_failed'],
      ]);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of the audit, even through SQL', async () => {
      const id = requestId('append-only');
      await lookup({ ...DEVELOPER_AUTH, 'x-service-code': '2.001159', 'x-request-id': id }, husband.idNumber, 'fullName').expect(200);
      const before = await auditRows(id);
      expect(before).toHaveLength(1);
      await expect(db.query(`UPDATE access_audit SET outcome = 'refused' WHERE request_id = $1`, [id])).rejects.toThrow(/append-only: UPDATE/);
      await expect(db.query(`DELETE FROM access_audit WHERE request_id = $1`, [id])).rejects.toThrow(/append-only: DELETE/);
      await expect(db.query(`TRUNCATE access_audit`)).rejects.toThrow(/append-only: TRUNCATE/);
      expect(await auditRows(id)).toEqual(before);
    });

    it('never stores a clear ID number, of the citizen or of the officer, in any column', async () => {
      const officer = persona('married-wife').idNumber;
      const wanted = [husband.idNumber, officer, unusedIdNumber()];
      const headers = { ...DEVELOPER_AUTH, 'x-service-code': '2.001159', 'x-officer-id': officer };
      await lookup(headers, husband.idNumber, 'fullName').expect(200);
      await lookup(headers, husband.idNumber, 'religion').expect(403);
      await lookup(headers, unusedIdNumber(), 'fullName').expect(404);
      await verify(headers, verifyBody()).expect(200);
      await verify({ ...headers, 'x-service-code': 'P06-08' }, verifyBody()).expect(403);
      await request(server()).post('/registry/v1/citizens/verify-batch').set(headers).send({ items: [verifyBody(), verifyBody({ idNumber: unusedIdNumber() })] }).expect(200);
      await lookup({ authorization: 'Bearer x', 'x-service-code': '2.001159' }, husband.idNumber, 'fullName').expect(401);

      const [written] = await db.query(`SELECT count(*)::int AS rows FROM access_audit WHERE audit_id > $1 AND officer_masked = $2`, [auditMark, maskIdNumber(officer)]);
      expect(written.rows).toBeGreaterThanOrEqual(7);
      for (const idNumber of wanted) {
        const [found] = await db.query(`SELECT count(*)::int AS rows FROM access_audit a WHERE a.audit_id > $1 AND row_to_json(a)::text LIKE '%' || $2 || '%'`, [auditMark, idNumber]);
        expect([idNumber, found.rows]).toEqual([idNumber, 0]);
      }
    });
  });

  describe('GET /access/v1/citizens/{idNumber}/accesses (who read my data)', () => {
    it('lists the accesses of a persona newest first, with the consumer\'s name and the service\'s name', async () => {
      const ward = await createConsumer();
      const subject = persona('same-name-dob-b');
      const other = persona('same-name-dob-a');
      const headers = (serviceCode: string, dossier: string) => ({ ...ward.auth, 'x-service-code': serviceCode, 'x-dossier-id': `${run}-${dossier}` });
      await lookup(headers('2.001159', 'D1'), subject.idNumber, 'fullName,permanentAddress').expect(200);
      await verify(headers('1.004222', 'D2'), { idNumber: subject.idNumber, fullName: subject.fullName, dateOfBirth: subject.dateOfBirth }).expect(200);
      await lookup(headers('2.001159', 'D3'), subject.idNumber, 'religion').expect(403);
      await lookup(headers('2.001159', 'OTHER'), other.idNumber, 'fullName').expect(200);

      const response = await admin(`/access/v1/citizens/${subject.idNumber}/accesses`).expect(200);
      expect(response.body.citizen).toBe(maskIdNumber(subject.idNumber));
      const consumer = { consumerId: ward.consumerId, name: ward.name, kind: 'state' };
      expect(response.body.accesses.slice(0, 3)).toEqual([
        { at: expect.any(String), consumer, serviceCode: '2.001159', serviceName: 'Thông báo lưu trú', dossierId: `${run}-D3`, fields: [], operation: 'lookup', outcome: 'refused', reason: 'fields_not_allowed' },
        { at: expect.any(String), consumer, serviceCode: '1.004222', serviceName: 'Đăng ký thường trú', dossierId: `${run}-D2`, fields: ['idNumber', 'fullName', 'dateOfBirth'], operation: 'verify', outcome: 'match', reason: null },
        { at: expect.any(String), consumer, serviceCode: '2.001159', serviceName: 'Thông báo lưu trú', dossierId: `${run}-D1`, fields: ['fullName', 'permanentAddress'], operation: 'lookup', outcome: 'ok', reason: null },
      ]);
      const dossiers = response.body.accesses.map((access: { dossierId: string | null }) => access.dossierId);
      expect(dossiers).not.toContain(`${run}-OTHER`);
      for (const access of response.body.accesses) expect(Object.keys(access).sort()).toEqual(ACCESS_KEYS);
      const times = response.body.accesses.map((access: { at: string }) => Date.parse(access.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('pages by cursor through every access of a citizen, without duplicates', async () => {
      // A generated citizen picked at random, so that few other runs have read it.
      const [{ id_number: idNumber }] = await db.query(`SELECT id_number FROM citizens WHERE right(id_number, 6) < '999900' ORDER BY random() LIMIT 1`);
      const headers = { ...DEVELOPER_AUTH, 'x-service-code': '2.001159' };
      for (let call = 0; call < 5; call += 1) await lookup({ ...headers, 'x-dossier-id': `${run}-PAGE-${call}` }, idNumber, 'fullName').expect(200);
      const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM access_audit WHERE citizen_hmac = $1`, [testApp.app.get(CitizenHmac).of(idNumber)]);

      const seen: string[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const page: request.Response = await admin(`/access/v1/citizens/${idNumber}/accesses?limit=2&cursor=${cursor}`).expect(200);
        expect(page.body.accesses.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.accesses.map((access: { at: string; dossierId: string }) => `${access.at} ${access.dossierId}`));
        cursor = page.body.nextCursor;
        pages += 1;
        if (pages > total) throw new Error('the cursor does not advance');
      }
      expect(seen).toHaveLength(total);
      // No access twice and none left out: as many distinct ones as the audit holds. Two accesses in the same
      // millisecond without a dossier (a sync batch holding one citizen twice) look alike in this view, so they
      // are counted as the view shows them.
      const [{ distinct }] = await db.query(
        `SELECT count(DISTINCT (date_trunc('milliseconds', occurred_at), dossier_id))::int AS distinct FROM access_audit WHERE citizen_hmac = $1`,
        [testApp.app.get(CitizenHmac).of(idNumber)],
      );
      expect(new Set(seen).size).toBe(distinct);
      expect(seen.slice(0, 5).map((entry) => entry.split(' ')[1])).toEqual([4, 3, 2, 1, 0].map((call) => `${run}-PAGE-${call}`));
    });
  });

  describe('GET /access/v1/audit', () => {
    it('filters by consumer, service, dossier, outcome and time, and pages through every record without duplicates', async () => {
      const ward = await createConsumer();
      const [{ start }] = await db.query(`SELECT now() AS start`);
      const dossierA = `${run}-FILTER-A`;
      const calls: { id: string; send: (id: string) => request.Test }[] = [
        { id: requestId('f1'), send: (id) => lookup({ ...ward.auth, 'x-service-code': '2.001159', 'x-dossier-id': dossierA, 'x-request-id': id }, husband.idNumber, 'fullName') },
        { id: requestId('f2'), send: (id) => lookup({ ...ward.auth, 'x-service-code': '1.004222', 'x-dossier-id': dossierA, 'x-request-id': id }, husband.idNumber, 'fullName') },
        { id: requestId('f3'), send: (id) => lookup({ ...ward.auth, 'x-service-code': '2.001159', 'x-dossier-id': dossierA, 'x-request-id': id }, husband.idNumber, 'religion') },
        { id: requestId('f4'), send: (id) => verify({ ...ward.auth, 'x-service-code': '2.001159', 'x-request-id': id }, verifyBody({ fullName: 'Vũ Đức Thịnh' })) },
        { id: requestId('f5'), send: (id) => lookup({ ...ward.auth, 'x-service-code': '2.001159', 'x-request-id': id, 'x-officer-id': persona('married-wife').idNumber }, husband.idNumber, 'sex') },
      ];
      for (const call of calls) await call.send(call.id);
      const [{ end }] = await db.query(`SELECT now() AS end`);
      const newestFirst = calls.map((call) => call.id).reverse();

      const walked: { requestId: string }[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await admin(`/access/v1/audit?consumerId=${ward.consumerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        expect(page.body.records.length).toBeLessThanOrEqual(2);
        walked.push(...page.body.records);
        cursor = page.body.nextCursor;
      } while (cursor !== null && walked.length <= calls.length);
      expect(walked.map((record) => record.requestId)).toEqual(newestFirst);

      const refused = await admin(`/access/v1/audit?consumerId=${ward.consumerId}&outcome=refused`).expect(200);
      expect(refused.body.records).toEqual([
        expect.objectContaining({ requestId: calls[2].id, outcome: 'refused', reason: 'fields_not_allowed', dossierId: dossierA, citizenMasked: maskIdNumber(husband.idNumber) }),
      ]);
      const byService = await admin(`/access/v1/audit?consumerId=${ward.consumerId}&serviceCode=1.004222`).expect(200);
      expect(byService.body.records.map((record: { requestId: string }) => record.requestId)).toEqual([calls[1].id]);
      expect(byService.body.records[0]).toMatchObject({ serviceName: 'Đăng ký thường trú', consumer: { consumerId: ward.consumerId, name: ward.name, kind: 'state' } });
      const byDossier = await admin(`/access/v1/audit?dossierId=${encodeURIComponent(dossierA)}`).expect(200);
      expect(byDossier.body.records.map((record: { requestId: string }) => record.requestId)).toEqual([calls[2].id, calls[1].id, calls[0].id]);
      const byMismatch = await admin(`/access/v1/audit?consumerId=${ward.consumerId}&outcome=mismatch`).expect(200);
      expect(byMismatch.body.records.map((record: { requestId: string }) => record.requestId)).toEqual([calls[3].id]);

      const inWindow = await admin(`/access/v1/audit?consumerId=${ward.consumerId}&from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(new Date(end.getTime() + 1).toISOString())}`).expect(200);
      expect(inWindow.body.records).toHaveLength(calls.length);
      const after = await admin(`/access/v1/audit?consumerId=${ward.consumerId}&from=${encodeURIComponent(new Date(end.getTime() + 1).toISOString())}`).expect(200);
      expect(after.body).toEqual({ records: [], nextCursor: null });

      const withOfficer = walked[0] as Record<string, unknown>;
      expect(withOfficer).toMatchObject({ requestId: calls[4].id, officerMasked: maskIdNumber(persona('married-wife').idNumber), citizenMasked: maskIdNumber(husband.idNumber) });
      for (const record of walked) expect(Object.keys(record).sort()).toEqual(RECORD_KEYS);
    });

    it('answers the newest records without filters, capped by the default limit', async () => {
      const response = await admin('/access/v1/audit').expect(200);
      expect(response.body.records.length).toBeLessThanOrEqual(50);
      expect(response.body.records.length).toBeGreaterThan(0);
    });
  });

  describe('validation and access control', () => {
    it.each([
      ['/access/v1/audit?limit=1000', 'query.limit', 'max'],
      ['/access/v1/audit?limit=0', 'query.limit', 'min'],
      ['/access/v1/audit?limit=ten', 'query.limit', 'type'],
      ['/access/v1/audit?cursor=abc', 'query.cursor', 'format'],
      ['/access/v1/audit?cursor=99999999999999999999', 'query.cursor', 'format'],
      ['/access/v1/audit?cursor=9999999999999999999', 'query.cursor', 'format'],
      ['/access/v1/audit?verdict=ok', 'query.verdict', 'unknown_property'],
      ['/access/v1/audit?outcome=maybe', 'query.outcome', 'enum'],
      ['/access/v1/audit?consumerId=bank', 'query.consumerId', 'format'],
      ['/access/v1/audit?serviceCode=%20x%20', 'query.serviceCode', 'format'],
      ['/access/v1/audit?dossierId=a%20b', 'query.dossierId', 'format'],
      ['/access/v1/audit?from=yesterday', 'query.from', 'format'],
      ['/access/v1/audit?from=2026-11-28T00:00:00', 'query.from', 'format'],
      // Year 0000 is ISO 8601 but not a PostgreSQL timestamp (it gave a 500).
      ['/access/v1/audit?from=0000-01-01T00:00:00Z', 'query.from', 'min_date'],
      ['/access/v1/audit?to=0000-01-01T00:00:00Z', 'query.to', 'min_date'],
      ['/access/v1/audit?from=2026-11-29T00:00:00Z&to=2026-11-28T00:00:00Z', 'query.to', 'range'],
      [`/access/v1/citizens/${persona('married-husband').idNumber}/accesses?limit=1000`, 'query.limit', 'max'],
      [`/access/v1/citizens/${persona('married-husband').idNumber}/accesses?consumerId=x`, 'query.consumerId', 'unknown_property'],
      ['/access/v1/citizens/000199012345/accesses', 'idNumber', 'province_code'],
    ])('GET %s: 400 naming %s (%s)', async (path, field, rule) => {
      const response = await admin(path);
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([expect.objectContaining({ field, rule })]);
    });

    it.each(['/access/v1/audit', `/access/v1/citizens/${persona('married-husband').idNumber}/accesses`])('GET %s needs the admin key', async (path) => {
      expectProblem(await request(server()).get(path).set(DEVELOPER_AUTH), 403, 'admin_required');
      expectProblem(await request(server()).get(path), 401, 'missing_credentials');
      expectProblem(await request(server()).get(path).set({ authorization: `Bearer ${generateApiKey()}` }), 401, 'unknown_credentials');
    });
  });
});
