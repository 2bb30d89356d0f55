import type { CitizenRecord, HouseholdRecord } from './citizen.js';
import { citizenValues, householdValues } from './citizen-row.js';

/**
 * Rows in PostgreSQL's COPY text format: tab-separated, `\N` for NULL, with backslash, tab, newline and carriage
 * return escaped. Hand-written because it is the seeding hot path (a million rows in seconds) and the format is tiny.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

function copyLine(values: (string | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) line += '\t';
    if (value === null) line += '\\N';
    // Generated values almost never hold a character that needs escaping, so test before replacing.
    else if (!NEEDS_ESCAPE.test(value)) line += value;
    else line += value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  }
  return line + '\n';
}

export function citizenCopyRow(citizen: CitizenRecord): string {
  return copyLine(citizenValues(citizen));
}

export function householdCopyRow(household: HouseholdRecord): string {
  return copyLine(householdValues(household));
}
