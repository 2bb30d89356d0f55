import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { FaultProfileInput } from '../../src/connectors/fault-profile.js';
import { ADMIN_AUTH } from '../utils/test-app.js';

type Auth = { authorization: string };

/** Sets a fault profile with a consumer's key (and session), through PUT /sandbox/faults; throws unless 200. */
export async function putFaults(app: NestFastifyApplication, auth: Auth, profile: FaultProfileInput, options: { serviceCode?: string; session?: string } = {}): Promise<void> {
  const response = await request(app.getHttpServer())
    .put('/sandbox/faults')
    .set({ ...auth, ...(options.session ? { 'x-sandbox-session': options.session } : {}) })
    .send({ serviceCode: options.serviceCode ?? null, profile });
  if (response.status !== 200) throw new Error(`PUT /sandbox/faults answered ${response.status}: ${JSON.stringify(response.body)}`);
}

/** Starts a sandbox session of the key's consumer; its id. */
export async function createSession(app: NestFastifyApplication, auth: Auth, label = 'e2e'): Promise<string> {
  const response = await request(app.getHttpServer()).post('/sandbox/sessions').set(auth).send({ label });
  if (response.status !== 201) throw new Error(`POST /sandbox/sessions answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.sessionId;
}

/**
 * A catalog service of the test's own (unique code: e2e files share one database and rows stay), so that its
 * connector can be changed without touching the services other files call. Granted to the sandbox developer.
 */
export async function createTestService(app: NestFastifyApplication, label: string): Promise<string> {
  const code = `T-${label}-${randomBytes(3).toString('hex')}`;
  const response = await request(app.getHttpServer())
    .post(`/portal/v1/services/${code}`)
    .set(ADMIN_AUTH)
    .send({ nameVi: 'Dịch vụ thử', nameEn: 'Test service', leadAgency: 'popgate', allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'household', 'permanentAddress'] });
  if (response.status !== 201) throw new Error(`POST /portal/v1/services answered ${response.status}: ${JSON.stringify(response.body)}`);
  return code;
}

/** A call's journal row, as the tests check it. */
export interface JournalEntry {
  outcome: string;
  httpStatus: number | null;
  problemCode: string | null;
  faultKind: string | null;
  fingerprint: string;
}

/** The journal rows and audit rows of the calls made under a request id. */
export async function rowsOf(db: DataSource, requestId: string): Promise<{ journal: JournalEntry[]; audit: { outcome: string; reason: string | null }[] }> {
  const journal = await db.query(
    `SELECT outcome, http_status AS "httpStatus", problem_code AS "problemCode", fault_kind AS "faultKind", fingerprint FROM call_journal WHERE request_id = $1 ORDER BY received_at`,
    [requestId],
  );
  const audit = await db.query(`SELECT outcome, reason FROM access_audit WHERE request_id = $1 ORDER BY audit_id`, [requestId]);
  return { journal, audit };
}
