import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { CITIZEN_COLUMNS, citizenValues, type CitizenRow } from './citizen-row.js';
import { CITIZEN_FIELDS, lookupAnswerSchema } from './citizen-fields.js';
import { changeEventSchema } from './registry.dto.js';
import { personaEvents, personaHouseholds } from '../sandbox/population/personas.js';
import { generateHouseholds } from '../sandbox/population/population-generator.js';

const today = new Date('2026-11-28T00:00:00Z');

/** The value as the schema reads it. zod drops unknown keys, so a key the schema lacks shows up as a difference. */
function asDocumented(schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  return result.success ? result.data : result.error.issues;
}

/** The OpenAPI document is generated from these schemas: they must describe what the code really answers. */
describe('documented answer schemas', () => {
  it('describe every look-up field of every persona and of a generated sample, as projected from its row', () => {
    const citizens = [
      ...personaHouseholds(today).flatMap((group) => group.members),
      ...[...generateHouseholds({ seed: 'dto-spec', citizens: 2_000, today })].flatMap((group) => group.members),
    ];
    const children = [{ idNumber: '001316999906', fullName: 'Nguyễn Ngọc Bảo Anh', nationality: 'VN' }];
    for (const citizen of citizens) {
      const row = Object.fromEntries(CITIZEN_COLUMNS.map((column, index) => [column, citizenValues(citizen)[index]])) as CitizenRow;
      const answer = Object.fromEntries(CITIZEN_FIELDS.map((field) => [field.name, field.project({ row, children })]));
      expect(asDocumented(lookupAnswerSchema, answer)).toEqual(answer);
    }
  });

  it('describe the seeded change events, kind by kind', () => {
    const events = personaEvents(today).map((event, index) => ({
      cursor: String(index + 1),
      kind: event.kind,
      idNumber: event.idNumber,
      occurredAt: new Date(event.occurredAt).toISOString(),
      recordedAt: today.toISOString(),
      details: event.details,
    }));
    expect(new Set(events.map((event) => event.kind)).size).toBeGreaterThanOrEqual(6);
    for (const event of events) expect(asDocumented(changeEventSchema, event)).toEqual(event);
  });
});
