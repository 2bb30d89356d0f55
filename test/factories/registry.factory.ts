import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { composeIdNumber, PERSONA_RANDOM_FLOOR } from '../../src/identity/id-number.js';
import { PERSONAS, type Persona } from '../../src/sandbox/population/personas.js';

/** The persona with this key; throws on a typo so that a test cannot silently run against nothing. */
export function persona(key: string): Persona {
  const found = PERSONAS.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no persona "${key}" in src/registry/sandbox-data/personas.ts`);
  return found;
}

/**
 * A valid ID number that no citizen holds: the random part 999999 lies in the personas' reserved range, which the
 * generator never uses, above the last persona.
 */
export function unusedIdNumber(): string {
  const taken = new Set(PERSONAS.map((p) => p.idNumber));
  const idNumber = composeIdNumber('001', 'male', 1990, 999_999);
  if (taken.has(idNumber) || PERSONAS.length >= 999_999 - PERSONA_RANDOM_FLOOR) throw new Error('999999 is used by a persona');
  return idNumber;
}

export interface VerifyBody {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex?: 'male' | 'female';
}

/** A verify request for a persona (default: the married man, a full date of birth), with overrides. */
export function verifyBody(overrides: Partial<VerifyBody> & Record<string, unknown> = {}, key = 'married-husband'): VerifyBody {
  const { idNumber, fullName, dateOfBirth } = persona(key);
  return { idNumber, fullName, dateOfBirth, ...overrides };
}

/** A permanent move to a real 2025 commune (Phường Hải Châu, Đà Nẵng), with overrides. */
export function moveEvent(idNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'move', idNumber, residence: 'permanent', address: { detail: 'Số 1 đường Bạch Đằng', communeCode: '20242' }, ...overrides };
}

/** Whole years between a (possibly partial) date of birth and an ISO date; partial dates count from 1 January. */
export function ageOn(dateOfBirth: string, isoDate: string): number {
  const [by, bm = '01', bd = '01'] = dateOfBirth.split('-');
  const [y, m, d] = isoDate.split('-');
  return Number(y) - Number(by) - (`${m}-${d}` < `${bm}-${bd}` ? 1 : 0);
}

/** ISO date `days` from today (UTC). */
export function isoDaysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export interface CommuneRow {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
}

/** A commune of the official 2025 list, read straight from the CSV so that tests do not trust the app's loader. */
export function commune2025(code: string): CommuneRow {
  const csv = readFileSync(new URL('../../config/reference/communes-2025.csv', import.meta.url), 'utf8');
  const line = csv.split('\n').find((row) => row.startsWith(code + ','));
  if (!line) throw new Error(`commune ${code} is not in config/reference/communes-2025.csv`);
  const [, name, provinceCode, provinceName] = line.trim().split(',');
  return { code, name, provinceCode, provinceName };
}

/** A dossier's applicant as a portal files it: a living adult with a full birth date and a 2025-map address. */
export async function adultApplicant(db: DataSource): Promise<{ idNumber: string; fullName: string; dateOfBirth: string; sex: string; permanentAddress: { detail: string; communeCode: string } }> {
  const [citizen] = await db.query(
    `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex,
            permanent_detail AS detail, permanent_commune_code AS "communeCode"
     FROM citizens WHERE status = 'alive' AND permanent_commune_code IS NOT NULL AND length(date_of_birth) = 10 AND date_of_birth < '2000'
     ORDER BY id_number LIMIT 1`,
  );
  return { idNumber: citizen.idNumber, fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth, sex: citizen.sex, permanentAddress: { detail: citizen.detail, communeCode: citizen.communeCode } };
}
