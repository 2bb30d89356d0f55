import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from '../../src/queue/queue-names.js';
import { DossierRepository } from '../../src/portal/dossier.repository.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, PORTAL_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';

interface CitizenRow {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  permanentDetail: string;
  permanentCommuneCode: string;
}

/** Services of config/public-services.json used here: a verify-and-look-up service, an adults-only one. */
const RESIDENCE = '1.004222';
const MARRIAGE = '1.000894';

/** The portal's dossiers: filing (idempotent, durable), verification by the queue, reading back. */
describe('/portal/v1/dossiers', () => {
  const testApp = useTestApp();
  const http = () => testApp.http;

  async function citizens(where: string, limit = 1): Promise<CitizenRow[]> {
    return testApp.db.query(
      `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex,
              permanent_detail AS "permanentDetail", permanent_commune_code AS "permanentCommuneCode"
       FROM citizens WHERE permanent_commune_code IS NOT NULL AND length(date_of_birth) = 10 AND ${where} ORDER BY id_number LIMIT ${limit}`,
    );
  }

  function applicantOf(citizen: CitizenRow, changes: Record<string, unknown> = {}) {
    return {
      idNumber: citizen.idNumber,
      fullName: citizen.fullName,
      dateOfBirth: citizen.dateOfBirth,
      sex: citizen.sex,
      permanentAddress: { detail: citizen.permanentDetail, communeCode: citizen.permanentCommuneCode },
      ...changes,
    };
  }

  async function fileAndDecide(serviceCode: string, applicant: Record<string, unknown>) {
    const filed = await http().post('/portal/v1/dossiers').send({ serviceCode, applicant }).expect(202);
    let detail: Record<string, any> = {};
    await expectEventually(async () => {
      detail = (await http().get(`/portal/v1/dossiers/${filed.body.dossierId}`).expect(200)).body;
      expect(detail.decidedAt).not.toBeNull();
    }, 15_000);
    return detail;
  }

  it('files a dossier (202, Location) and verifies it: a citizen as the registry holds them is verified', async () => {
    const [citizen] = await citizens(`status = 'alive' AND date_of_birth < '2000'`);
    const filed = await http().post('/portal/v1/dossiers').send({ serviceCode: RESIDENCE, applicant: applicantOf(citizen) }).expect(202);
    expect(filed.headers.location).toBe(`/portal/v1/dossiers/${filed.body.dossierId}`);
    expect(filed.headers['idempotent-replayed']).toBe('false');
    expect(filed.headers['cache-control']).toBe('no-store');
    expect(filed.body).toMatchObject({ status: 'received', serviceCode: RESIDENCE, decidedAt: null });
    expect(filed.body.applicant.idNumber).not.toBe(citizen.idNumber);
    expect(filed.body.applicant.idNumber).toMatch(/^\d{3}\*+\d{2}$/);

    let detail: Record<string, any> = {};
    await expectEventually(async () => {
      detail = (await http().get(`/portal/v1/dossiers/${filed.body.dossierId}`).expect(200)).body;
      expect(detail.status).toBe('verified');
    }, 15_000);
    expect(detail.verification.fields).toMatchObject({ idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact', permanentAddress: 'exact' });
    expect(detail.history.map((event: { status: string }) => event.status)).toEqual(['received', 'verifying', 'verified']);
    expect(detail.timeToDecisionMs).toBeGreaterThanOrEqual(0);
    // Each attempt names its calls; each call is in the journal, made by the job as the portal consumer.
    const [attempt] = detail.verificationAttempts;
    expect(attempt).toMatchObject({ attempt: 1, outcome: 'decided', jobId: `verify-${filed.body.dossierId}` });
    expect(attempt.calls.map((call: { operation: string }) => call.operation)).toEqual(['verify', 'lookup']);
    for (const call of attempt.calls) {
      const journal = await testApp.http.get(`/journal/v1/calls/${call.callId}`).set(ADMIN_AUTH).expect(200);
      expect(journal.body).toMatchObject({ transport: 'in_process', dossierId: filed.body.dossierId, jobId: attempt.jobId, attempt: 1, outcome: 'ok' });
    }
  });

  it('decides by the registry: a typo in the name or a stale address needs review; an unknown ID is rejected; upper case without diacritics passes', async () => {
    const [a, b, c] = await citizens(`status = 'alive' AND date_of_birth < '2000'`, 3);
    const typo = await fileAndDecide(RESIDENCE, applicantOf(a, { fullName: `${a.fullName}x` }));
    expect(typo).toMatchObject({ status: 'needs_review', reason: 'field_mismatch' });
    expect(typo.verification.fields.fullName).toBe('mismatch');

    const moved = await fileAndDecide(RESIDENCE, applicantOf(b, { permanentAddress: { detail: 'Số 1 phố Không Có', communeCode: b.permanentCommuneCode } }));
    expect(moved).toMatchObject({ status: 'needs_review', reason: 'field_mismatch' });
    expect(moved.verification.fields).toMatchObject({ fullName: 'exact', permanentAddress: 'mismatch' });

    const unknown = (await citizens(`true`))[0].idNumber.slice(0, 6) + '999998';
    const nobody = await fileAndDecide(RESIDENCE, applicantOf(c, { idNumber: unknown }));
    expect(nobody).toMatchObject({ status: 'rejected', reason: 'citizen_not_found' });

    const folded = c.fullName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toUpperCase();
    const normalized = await fileAndDecide(RESIDENCE, applicantOf(c, { fullName: folded }));
    expect(normalized.status).toBe('verified');
    expect(normalized.verification.fields.fullName).toBe(folded === c.fullName ? 'exact' : 'normalized');
  });

  it('sends a deceased applicant to review and rejects a minor for an adults-only service', async () => {
    const [dead] = await citizens(`status = 'deceased'`);
    expect(await fileAndDecide(RESIDENCE, applicantOf(dead))).toMatchObject({ status: 'needs_review', reason: 'citizen_deceased' });
    const [minor] = await citizens(`status = 'alive' AND date_of_birth > '2012-01-01'`);
    const decided = await fileAndDecide(MARRIAGE, applicantOf(minor));
    expect(decided).toMatchObject({ status: 'rejected', reason: 'under_age' });
    expect(decided.verification.age).toBeLessThan(18);
  });

  it('makes one dossier and one job of ten filings with one Idempotency-Key, and names it in every reply', async () => {
    const [citizen] = await citizens(`status = 'alive'`);
    const key = `form-${randomBytes(6).toString('hex')}`;
    const body = { serviceCode: RESIDENCE, applicant: applicantOf(citizen) };
    const replies = await Promise.all(Array.from({ length: 10 }, () => http().post('/portal/v1/dossiers').set('idempotency-key', key).send(body)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(202));
    const ids = new Set(replies.map((reply) => reply.body.dossierId));
    expect(ids.size).toBe(1);
    expect(replies.filter((reply) => reply.headers['idempotent-replayed'] === 'false')).toHaveLength(1);
    const [dossierId] = ids;
    const [{ count }] = await testApp.db.query(`SELECT count(*)::int AS count FROM portal_dossiers WHERE idempotency_key = $1`, [key]);
    expect(count).toBe(1);
    const queue = testApp.app.get<Queue>(getQueueToken(QueueName.Verification));
    const job = await queue.getJob(`verify-${dossierId}`);
    expect(job?.data).toEqual({ dossierId });
    // Job payloads, names and ids carry the dossier id, never the applicant's ID number.
    expect(JSON.stringify({ data: job?.data, name: job?.name, id: job?.id })).not.toContain(citizen.idNumber);

    const reused = await http().post('/portal/v1/dossiers').set('idempotency-key', key).send({ ...body, applicant: { ...body.applicant, fullName: 'Người Khác' } }).expect(422);
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', errors: [{ field: 'header.Idempotency-Key', rule: 'reused' }] });
  });

  it('answers bad input with 400 naming the field and rule, and needs the portal or admin key', async () => {
    const [citizen] = await citizens(`true`);
    const bad = await http()
      .post('/portal/v1/dossiers')
      .send({ serviceCode: 'NO-SUCH', applicant: { ...applicantOf(citizen), idNumber: '12345', dateOfBirth: '1990-02-30' } })
      .expect(400)
      .expect('content-type', /application\/problem\+json/);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'applicant.idNumber' }), expect.objectContaining({ field: 'applicant.dateOfBirth' })]),
    );
    const unknownService = await http().post('/portal/v1/dossiers').send({ serviceCode: 'NO-SUCH', applicant: applicantOf(citizen) }).expect(400);
    expect(unknownService.body.errors).toEqual([expect.objectContaining({ field: 'serviceCode', rule: 'unknown_service' })]);
    await http().post('/portal/v1/dossiers').set('idempotency-key', 'k'.repeat(256)).send({ serviceCode: RESIDENCE, applicant: applicantOf(citizen) }).expect(400);
    // A lone surrogate (PostgreSQL refuses it in json) and a birth date in the future are the client's mistakes: 400.
    const lone = await http()
      .post('/portal/v1/dossiers')
      .set('content-type', 'application/json')
      .send(`{"serviceCode":"${RESIDENCE}","applicant":${JSON.stringify(applicantOf(citizen)).replace(/"fullName":"[^"]*"/, '"fullName":"Nguy\\ud800n"')}}`)
      .expect(400);
    expect(lone.body.errors).toEqual([expect.objectContaining({ field: 'applicant.fullName', rule: 'invalid_unicode' })]);
    const future = await http().post('/portal/v1/dossiers').send({ serviceCode: RESIDENCE, applicant: { ...applicantOf(citizen), dateOfBirth: '9999-12-31' } }).expect(400);
    expect(future.body.errors).toEqual([expect.objectContaining({ field: 'applicant.dateOfBirth', rule: 'future_date' })]);

    const server = testApp.app.getHttpServer();
    const { default: request } = await import('supertest');
    await request(server).get('/portal/v1/dossiers').expect(401);
    const forbidden = await request(server).get('/portal/v1/dossiers').set(DEVELOPER_AUTH).expect(403);
    expect(forbidden.body.code).toBe('portal_key_required');
    await request(server).get('/portal/v1/dossiers').set(ADMIN_AUTH).expect(200);
    await request(server).get('/portal/v1/dossiers/not-a-uuid').set(PORTAL_AUTH).expect(400);
    await request(server).get('/portal/v1/dossiers/0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b').set(PORTAL_AUTH).expect(404);
  });

  it('takes one decision per dossier: a second decision (a job run twice) changes nothing', async () => {
    const [citizen] = await citizens(`status = 'alive'`);
    const filed = await http().post('/portal/v1/dossiers').send({ serviceCode: RESIDENCE, applicant: applicantOf(citizen) }).expect(202);
    const dossierId = filed.body.dossierId as string;
    await expectEventually(async () => expect((await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body.decidedAt).not.toBeNull(), 15_000);
    const repository = testApp.app.get(DossierRepository);
    const again = { status: 'rejected' as const, reason: 'citizen_not_found' as const, detail: 'late', verification: { fields: {}, citizenStatus: null, age: null } };
    const attempt = { dossierId, jobId: 'verify-late', attempt: 9, startedAt: new Date(), outcome: 'decided' as const, problemCode: null, calls: [] };
    expect(await repository.decide(dossierId, again, 0, attempt)).toEqual({ kind: 'already_decided' });
    expect(await repository.deadLetter(dossierId, { reasonClass: 'registry_unreachable', error: 'late', attempts: 9, jobId: 'verify-late' }, null)).toBe(false);
    const detail = (await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body;
    expect(detail.status).toBe('verified');
    expect(detail.history.filter((event: { status: string }) => !['received', 'verifying'].includes(event.status))).toHaveLength(1);
    expect(detail.verificationAttempts).toHaveLength(1);
  });

  it('makes a dossier whose registry is down through every attempt a dead letter, which an operator finds and re-drives', async () => {
    const server = testApp.app.getHttpServer();
    const { default: request } = await import('supertest');
    const serviceCode = `T-DL-${randomBytes(4).toString('hex')}`;
    await request(server).post(`/portal/v1/services/${serviceCode}`).set(ADMIN_AUTH).send({ nameVi: 'Thử', nameEn: 'Test', leadAgency: 'Test', allowedFields: ['idNumber', 'fullName', 'dateOfBirth'] }).expect(201);
    const connector = (state: string) =>
      request(server).put(`/connectors/v1/${serviceCode}`).set(ADMIN_AUTH).send({ state, operations: ['verify'], faultProfile: null, applyFaultsToAllCallers: false, note: null }).expect(200);
    await connector('disabled');
    const [citizen] = await citizens(`status = 'alive'`);
    const filed = await http().post('/portal/v1/dossiers').send({ serviceCode, applicant: applicantOf(citizen) }).expect(202);
    const dossierId = filed.body.dossierId as string;
    await expectEventually(async () => expect((await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body.status).toBe('needs_review'), 20_000, 100);
    const dossier = (await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body;
    expect(dossier).toMatchObject({ reason: 'registry_unreachable', attempts: 6 });
    expect(dossier.verificationAttempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry', 'dead_letter']);

    const letters = await request(server).get(`/ops/dead-letters?dossierId=${dossierId}`).set(ADMIN_AUTH).expect(200);
    expect(letters.body.deadLetters).toEqual([expect.objectContaining({ dossierId, serviceCode, reasonClass: 'registry_unreachable', attempts: 6, redrivenAt: null })]);
    const jobs = await request(server).get(`/ops/verification-jobs?dossierId=${dossierId}`).set(ADMIN_AUTH).expect(200);
    expect(jobs.body.jobs).toEqual([expect.objectContaining({ jobId: `verify-${dossierId}`, serviceCode, state: 'failed', attemptsMade: 6 })]);
    const failed = await request(server).get(`/ops/verification-jobs?state=failed&serviceCode=${serviceCode}`).set(ADMIN_AUTH).expect(200);
    expect(failed.body.jobs.map((job: { dossierId: string }) => job.dossierId)).toEqual([dossierId]);

    const noFilter = await request(server).post('/ops/dead-letters/redrive').set(ADMIN_AUTH).send({}).expect(400);
    expect(noFilter.body.errors).toEqual([expect.objectContaining({ rule: 'filter_required' })]);
    await request(server).post('/ops/dead-letters/redrive').set(DEVELOPER_AUTH).send({ dossierId }).expect(403);
    // Re-driven while the registry is still down, through the queue's retry-failed: a fresh set of six attempts, then a
    // dead letter again.
    expect((await request(server).post('/ops/queues/verification/retry-failed').set(ADMIN_AUTH).expect(200)).body.retried).toBeGreaterThanOrEqual(1);
    await expectEventually(async () => {
      const again = (await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body;
      expect(again.verificationAttempts.filter((attempt: { outcome: string }) => attempt.outcome === 'dead_letter')).toHaveLength(2);
    }, 20_000, 100);
    const twice = (await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body;
    expect(twice.verificationAttempts.map((attempt: { attempt: number }) => attempt.attempt)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    await connector('enabled');
    // Another process would see the connector change within its refresh interval; this one sees it at once.
    const redriven = await request(server).post('/ops/dead-letters/redrive').set(ADMIN_AUTH).send({ dossierId }).expect(200);
    expect(redriven.body).toEqual({ redriven: 1, dossierIds: [dossierId] });
    expect((await request(server).post('/ops/dead-letters/redrive').set(ADMIN_AUTH).send({ dossierId }).expect(200)).body).toEqual({ redriven: 0, dossierIds: [] });
    await expectEventually(async () => expect((await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body.status).toBe('verified'), 20_000, 100);
    const history = (await http().get(`/portal/v1/dossiers/${dossierId}`).expect(200)).body.history.map((event: { status: string }) => event.status);
    expect(history).toEqual(['received', 'verifying', 'needs_review', 'received', 'verifying', 'needs_review', 'received', 'verifying', 'verified']);
    expect((await request(server).get(`/ops/dead-letters?dossierId=${dossierId}`).set(ADMIN_AUTH).expect(200)).body.deadLetters).toEqual([]);
    const all = await request(server).get(`/ops/dead-letters?dossierId=${dossierId}&includeRedriven=true`).set(ADMIN_AUTH).expect(200);
    expect(all.body.deadLetters[0].redrivenAt).not.toBeNull();
  });

  it('lists dossiers newest first with filters, each once across pages', async () => {
    const all = await citizens(`status = 'alive'`, 5);
    const serviceCode = '2.001159';
    const filed: string[] = [];
    for (const citizen of all) filed.push((await http().post('/portal/v1/dossiers').send({ serviceCode, applicant: applicantOf(citizen) }).expect(202)).body.dossierId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { dossiers: Array<{ dossierId: string; serviceCode: string }>; nextCursor: string | null } } = await http()
        .get(`/portal/v1/dossiers?serviceCode=${serviceCode}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      expect(page.body.dossiers.every((dossier) => dossier.serviceCode === serviceCode)).toBe(true);
      seen.push(...page.body.dossiers.map((dossier) => dossier.dossierId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => filed.includes(id))).toEqual([...filed].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const invalid = await http().get('/portal/v1/dossiers?status=lost').expect(400);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'query.status' })]);
  });
});
