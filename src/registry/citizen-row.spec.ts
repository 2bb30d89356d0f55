import { describe, expect, it } from '@jest/globals';
import { CITIZEN_COLUMNS, citizenFromRow, citizenValues, type CitizenRow } from './citizen-row.js';
import { personaHouseholds } from '../sandbox/population/personas.js';
import { generateHouseholds } from '../sandbox/population/population-generator.js';
import { citizenCopyRow } from './copy-format.js';

const today = new Date('2026-11-28T00:00:00Z');

function roundTrip(values: (string | null)[]): CitizenRow {
  return Object.fromEntries(CITIZEN_COLUMNS.map((column, index) => [column, values[index]])) as CitizenRow;
}

describe('citizen rows', () => {
  it('store and rebuild every persona and a generated sample without loss', () => {
    const citizens = [
      ...personaHouseholds(today).flatMap((group) => group.members),
      ...[...generateHouseholds({ seed: 'row-spec', citizens: 3_000, today })].flatMap((group) => group.members),
    ];
    for (const citizen of citizens) {
      expect(citizenFromRow(roundTrip(citizenValues(citizen)))).toEqual(citizen);
    }
  });

  it('writes COPY text with escapes for tab, newline, carriage return and backslash', () => {
    const [citizen] = personaHouseholds(today)[0].members;
    const line = citizenCopyRow({ ...citizen, otherNames: 'a\tb\nc\rd\\e' });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\t')).toHaveLength(CITIZEN_COLUMNS.length);
    expect(line).toContain('a\\tb\\nc\\rd\\\\e');
    expect(line.split('\t')[CITIZEN_COLUMNS.indexOf('blood_group')]).toMatch(/^(\\N|A|B|AB|O)$/);
  });
});
