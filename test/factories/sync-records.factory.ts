import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { CITIZEN_COLUMNS, citizenFromRow, type CitizenRow } from '../../src/registry/citizen-row.js';
import { ADMIN_AUTH } from '../utils/test-app.js';

/** A portal record as the sync tests insert it: the registry's values of a citizen, with whatever drift a test wants. */
export interface RecordValues {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  permanentAddress: Record<string, unknown>;
  currentAddress: Record<string, unknown>;
  maritalStatus: string;
  status: 'alive' | 'deceased';
  statusDate: string | null;
}

/** Citizens as a faithful portal copy holds them (registry values, current address as the registry derives it). */
export async function citizenCopies(db: DataSource, where: string, limit: number): Promise<RecordValues[]> {
  const rows: CitizenRow[] = await db.query(`SELECT ${CITIZEN_COLUMNS.map((column) => `${column}::text AS ${column}`).join(', ')} FROM citizens WHERE ${where} ORDER BY md5(id_number) LIMIT ${limit}`);
  return rows.map((row) => {
    const citizen = citizenFromRow(row);
    return {
      idNumber: citizen.idNumber,
      fullName: citizen.fullName,
      dateOfBirth: citizen.dateOfBirth,
      sex: citizen.sex,
      permanentAddress: { ...citizen.permanentAddress },
      currentAddress: { ...citizen.currentAddress },
      maritalStatus: citizen.maritalStatus,
      // A portal record holds alive or deceased (a missing citizen's copy says alive).
      status: citizen.status === 'deceased' ? 'deceased' : 'alive',
      statusDate: citizen.status === 'deceased' ? citizen.statusDate : null,
    };
  });
}

/**
 * Inserts portal records of a service (source `generated`), in order, 10,000 a statement (one jsonb parameter each,
 * far from Postgres's 65,535-parameter limit); returns their record ids in the same order.
 */
export async function insertRecords(db: DataSource, serviceCode: string, records: readonly RecordValues[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < records.length; start += 10_000) {
    const chunk = records.slice(start, start + 10_000);
    const rows: Array<{ record_id: string }> = await db.query(
      `INSERT INTO portal_records (service_code, id_number, full_name, date_of_birth, sex, permanent_address, current_address, marital_status, status, status_date, source)
       SELECT $1, v->>'idNumber', v->>'fullName', v->>'dateOfBirth', v->>'sex', v->'permanentAddress', v->'currentAddress', v->>'maritalStatus',
              v->>'status', (v->>'statusDate')::date, 'generated'
       FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e (v, n)
       ORDER BY n RETURNING record_id::text`,
      [serviceCode, JSON.stringify(chunk)],
    );
    ids.push(...rows.map((row) => row.record_id));
  }
  return ids;
}

/**
 * A catalog service of the test's own (its records and runs are the test's alone), with the given allow-list and,
 * when given, a fault profile on its connector (which applies to the portal's own jobs).
 */
export async function syncTestService(app: NestFastifyApplication, label: string, allowedFields: readonly string[], faultProfile: object | null = null): Promise<string> {
  const code = `T-SYNC-${label}-${randomBytes(3).toString('hex')}`;
  const server = app.getHttpServer();
  const created = await request(server).post(`/portal/v1/services/${code}`).set(ADMIN_AUTH).send({ nameVi: 'Thủ tục thử', nameEn: 'Sync test', leadAgency: 'popgate', allowedFields });
  if (created.status !== 201) throw new Error(`POST /portal/v1/services answered ${created.status}: ${JSON.stringify(created.body)}`);
  const connector = await request(server)
    .put(`/connectors/v1/${code}`)
    .set(ADMIN_AUTH)
    .send({ state: 'enabled', operations: ['verify', 'verify-batch', 'look-up'], faultProfile, applyFaultsToAllCallers: false, note: null });
  if (connector.status !== 200) throw new Error(`PUT /connectors/v1 answered ${connector.status}: ${JSON.stringify(connector.body)}`);
  return code;
}
