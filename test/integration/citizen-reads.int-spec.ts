import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import type pg from 'pg';
import { PG_POOL } from '../../src/database/database.module.js';
import { CitizenReads } from '../../src/registry/citizen-reads.js';
import { persona, unusedIdNumber } from '../factories/registry.factory.js';
import { seedTestDataset, useTestApp } from '../utils/test-app.js';

/** Coalesced primary-key reads, on the real database: each caller gets its own row, in as few statements as can be. */
describe('CitizenReads', () => {
  const testApp = useTestApp();
  let reads: CitizenReads;
  let pool: pg.Pool;

  beforeAll(async () => {
    reads = testApp.app.get(CitizenReads);
    pool = testApp.app.get<pg.Pool>(PG_POOL);
  });

  const NAMES = 'full_name, date_of_birth';

  it('answers the reads of one turn with one statement per select list, each caller with its own row', async () => {
    const husband = persona('married-husband');
    const wife = persona('married-wife');
    const nobody = unusedIdNumber();
    const statements = jest.spyOn(pool, 'query');
    try {
      const [a, b, again, missing, sexes] = await Promise.all([
        reads.read<{ full_name: string }>(husband.idNumber, NAMES),
        reads.read<{ full_name: string }>(wife.idNumber, NAMES),
        reads.read<{ full_name: string }>(husband.idNumber, NAMES),
        reads.read(nobody, NAMES),
        reads.read<{ sex: string }>(wife.idNumber, 'sex'),
      ]);
      expect(a).toEqual({ full_name: husband.fullName, date_of_birth: husband.dateOfBirth });
      expect(b?.full_name).toBe(wife.fullName);
      expect(again).toEqual(a);
      expect(missing).toBeUndefined();
      expect(sexes).toEqual({ sex: 'female' });
      // Two select lists in the turn: two statements, not five.
      expect(statements).toHaveBeenCalledTimes(2);
    } finally {
      statements.mockRestore();
    }
  });

  it('sends a turn with more than 1,000 citizens as several statements, and gives each caller of one citizen its own copy', async () => {
    const { rows } = await pool.query<{ id_number: string; full_name: string }>('SELECT id_number, full_name FROM citizens ORDER BY id_number LIMIT 1500');
    const statements = jest.spyOn(pool, 'query');
    try {
      const answers = await Promise.all(rows.map((row) => reads.read<{ full_name: string }>(row.id_number, 'full_name')));
      expect(answers.map((answer) => answer?.full_name)).toEqual(rows.map((row) => row.full_name));
      expect(statements).toHaveBeenCalledTimes(2);
    } finally {
      statements.mockRestore();
    }
    const [first, second] = await Promise.all([reads.read<{ full_name: string }>(rows[0].id_number, 'full_name'), reads.read<{ full_name: string }>(rows[0].id_number, 'full_name')]);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });

  it('rejects every read of a statement that fails, and serves the next turn normally', async () => {
    const husband = persona('married-husband');
    const failing = await Promise.allSettled([reads.read(husband.idNumber, 'no_such_column'), reads.read(persona('married-wife').idNumber, 'no_such_column')]);
    expect(failing.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await reads.read<{ full_name: string }>(husband.idNumber, 'full_name')).toEqual({ full_name: husband.fullName });
  });
});
