import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import type { Discrepancy } from '../../src/portal/sync-discrepancies.js';
import { SyncRunRepository, type SyncResult } from '../../src/portal/sync-run.repository.js';
import { insertRecords, syncTestService } from '../factories/sync-records.factory.js';
import { createTestAppWithEnvironment } from '../utils/test-app.js';

const ADDRESS = { detail: 'Số 1', communeCode: '00004', legacyCommune: null, legacyDistrict: null, provinceCode: '01' };

/**
 * A refresh batch reads its records, calls the registry, and commits its corrections later. A change committed to a
 * record in between (the follower applying a divorce, say) is newer than what the batch read from the registry: the
 * batch must not write over it. An app without workers, so that the test commits the batch itself, at the moment it
 * chooses.
 */
describe('a refresh batch and a change committed since it read its records', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestAppWithEnvironment({ WORKERS_IN_API: 'false' });
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await db?.query(`DELETE FROM portal_sync_runs WHERE service_code LIKE 'T-SYNC-STALE-%'`);
    await db?.query(`DELETE FROM portal_records WHERE service_code LIKE 'T-SYNC-STALE-%'`);
    await app?.close();
  });

  it('writes the corrections of the records still as read, leaves a record changed since untouched and not corrected, and confirms only a record fully corrected', async () => {
    const serviceCode = await syncTestService(app, 'STALE', ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'maritalStatus']);
    const [changedId, unchangedId, partlyId] = await insertRecords(db, serviceCode, [1, 2, 3].map((n) => ({
      idNumber: String(n).padStart(12, '0'), fullName: 'Nguyễn Văn An', dateOfBirth: '1990-01-01', sex: 'male' as const,
      permanentAddress: ADDRESS, currentAddress: ADDRESS, maritalStatus: 'single', status: 'alive' as const, statusDate: null,
    })));
    const runs = app.get(SyncRunRepository);
    const { runId } = await runs.request(serviceCode, 'refresh', 'test');
    expect(await runs.start(serviceCode, 500)).toMatchObject({ runId, batchNos: [0] });
    const batch = (await runs.batch(runId, 0))!;
    const read = await runs.recordsOf(serviceCode, batch.firstRecordId, batch.lastRecordId);
    expect(read.map((record) => record.recordId)).toEqual([changedId, unchangedId, partlyId]);

    // After the batch read them, the first record changes (as the follower writes it).
    await db.query(`UPDATE portal_records SET marital_status = 'divorced', source = 'follower', updated_at = now() WHERE record_id = $1`, [changedId]);

    const married: Discrepancy = { kind: 'marital_status', field: 'maritalStatus', portalValue: 'single', registryValue: 'married' };
    const hidden: Discrepancy = { kind: 'permanent_address', field: 'permanentAddress', portalValue: ADDRESS, registryValue: null };
    const result = (recordId: string, discrepancies: Discrepancy[]): SyncResult => ({
      recordId,
      recordUpdatedAt: read.find((record) => record.recordId === recordId)!.updatedAt,
      matched: false,
      discrepancies,
      corrections: { maritalStatus: 'married' },
      checked: true,
      error: null,
    });
    const committed = await runs.completeBatch(runId, 0, [result(changedId, [married]), result(unchangedId, [married]), result(partlyId, [married, hidden])]);
    expect(committed).toMatchObject({ kind: 'done', runState: 'completed' });

    const records = await db.query(
      `SELECT record_id::text AS "recordId", marital_status AS "maritalStatus", source, confirmed_at IS NOT NULL AS confirmed
       FROM portal_records WHERE record_id = ANY ($1::bigint[]) ORDER BY record_id`,
      [[changedId, unchangedId, partlyId]],
    );
    expect(records).toEqual([
      { recordId: changedId, maritalStatus: 'divorced', source: 'follower', confirmed: false },
      { recordId: unchangedId, maritalStatus: 'married', source: 'sync_run', confirmed: true },
      // Corrected where it could be; a discrepancy whose registry value the service may not read leaves it unconfirmed.
      { recordId: partlyId, maritalStatus: 'married', source: 'sync_run', confirmed: false },
    ]);
    const corrected = await db.query(`SELECT record_id::text AS "recordId", corrected FROM portal_sync_results WHERE run_id = $1 ORDER BY record_id`, [runId]);
    expect(corrected).toEqual([
      { recordId: changedId, corrected: false },
      { recordId: unchangedId, corrected: true },
      { recordId: partlyId, corrected: true },
    ]);
  });
});
