import { describe, expect, it } from '@jest/globals';
import type { CitizenRecord } from '../../registry/citizen.js';
import { PERSONA_RANDOM_FLOOR, decodeIdNumber, validateIdNumber } from '../../identity/id-number.js';
import { datasetViolations } from './dataset-invariants.js';
import { generateHouseholds } from './population-generator.js';
import { PERSONAS, PERSONA_EARLIEST_REFERENCE_DATE, personaEvents, personaHouseholds, type Persona } from './personas.js';

const TODAY = new Date('2026-11-28T00:00:00Z');

const REQUIRED_KEYS = [
  'deceased', 'missing', 'card-expired', 'old-id-only', 'minor', 'newborn', 'year-only-birth-date', 'rare-diacritics',
  'long-name', 'same-name-dob-a', 'same-name-dob-b', 'moved-last-week', 'divorced', 'foreign-spouse',
  'large-household-head', 'temporary-residence-hanoi', 'ethnic-minority-religion', 'married-husband', 'married-wife',
  'widowed', 'legacy-address', 'month-year-birth-date',
];

const groups = personaHouseholds(TODAY);
const records = new Map(groups.flatMap((group) => group.members).map((member) => [member.idNumber, member]));

function persona(key: string): Persona {
  const found = PERSONAS.find((p) => p.key === key);
  if (!found) throw new Error(`no persona ${key}`);
  return found;
}

function record(key: string): CitizenRecord {
  return records.get(persona(key).idNumber)!;
}

describe('persona catalogue', () => {
  it('has at least 22 personas with unique kebab-case keys and unique ID numbers', () => {
    expect(PERSONAS.length).toBeGreaterThanOrEqual(22);
    expect(new Set(PERSONAS.map((p) => p.key)).size).toBe(PERSONAS.length);
    expect(new Set(PERSONAS.map((p) => p.idNumber)).size).toBe(PERSONAS.length);
    for (const p of PERSONAS) expect(p.key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('covers every required case', () => {
    expect(PERSONAS.map((p) => p.key)).toEqual(expect.arrayContaining(REQUIRED_KEYS));
  });

  it('takes every persona household member\'s random part from the reserved range', () => {
    for (const id of records.keys()) {
      expect(Number(id.slice(6))).toBeGreaterThanOrEqual(PERSONA_RANDOM_FLOOR);
      expect(validateIdNumber(id, TODAY)).toEqual([]);
    }
  });

  it('describes each persona as its record says', () => {
    for (const p of PERSONAS) {
      const r = records.get(p.idNumber);
      expect(r).toBeDefined();
      expect([r!.fullName, r!.dateOfBirth, r!.householdId]).toEqual([p.fullName, p.dateOfBirth, p.householdId]);
      for (const field of p.specialFields) expect(Object.keys(r!)).toContain(field);
      expect(p.title.length).toBeGreaterThan(0);
      expect(p.tests.length).toBeGreaterThan(0);
    }
  });
});

describe('persona households', () => {
  it('obey the same dataset rules as generated households', () => {
    expect(datasetViolations(groups, TODAY)).toEqual([]);
  });

  it('do not depend on the reference date (only the move event does)', () => {
    expect(JSON.stringify(personaHouseholds(new Date('2031-01-01T00:00:00Z')))).toBe(JSON.stringify(groups));
  });

  it('refuse a reference date before the newborn\'s birth', () => {
    expect(() => personaHouseholds(new Date('2026-01-01T00:00:00Z'))).toThrow(RangeError);
    expect(() => personaHouseholds(new Date(`${PERSONA_EARLIEST_REFERENCE_DATE}T00:00:00Z`))).not.toThrow();
  });

  it('live beside any generated dataset without an ID clash', () => {
    const generated = [...generateHouseholds({ seed: 'with-personas', citizens: 5_000, today: TODAY })];
    expect(datasetViolations([...groups, ...generated], TODAY)).toEqual([]);
  });
});

describe('each persona is what it says', () => {
  it('deceased, missing and widowed', () => {
    const deceased = record('deceased');
    expect([deceased.status, deceased.statusDate]).toEqual(['deceased', '2023-08-14']);
    expect(record('missing').status).toBe('missing');
    expect(record('missing').statusDate).not.toBeNull();
    const widow = record('widowed');
    expect(widow.maritalStatus).toBe('widowed');
    expect(widow.spouseIdNumber).toBe(deceased.idNumber);
  });

  it('cards: expired, never expiring, old ID only, none for the young', () => {
    expect(record('card-expired').idCard!.expiryDate! < '2026-11-28').toBe(true);
    const expired = [...records.values()].filter((r) => r.idCard?.expiryDate != null && r.idCard.expiryDate < '2026-11-28');
    expect(expired.map((r) => r.idNumber)).toEqual([persona('card-expired').idNumber]);
    expect(record('card-no-expiry').idCard!.expiryDate).toBeNull();
    expect(record('old-id-only').idCard).toBeNull();
    expect(record('old-id-only').oldIdNumber).toMatch(/^\d{9}$/);
    expect(record('minor').idCard).toBeNull();
    expect(record('newborn').idCard).toBeNull();
    expect(decodeIdNumber(record('newborn').idNumber, TODAY)?.birthYear).toBe(2026);
    expect(record('minor-with-card').idCard).not.toBeNull();
  });

  it('partial birth dates', () => {
    expect(record('year-only-birth-date').dateOfBirth).toMatch(/^\d{4}$/);
    expect(record('month-year-birth-date').dateOfBirth).toMatch(/^\d{4}-\d{2}$/);
  });

  it('names: rare diacritics, five or more words, namesakes', () => {
    expect(record('rare-diacritics').fullName).toMatch(/[ỹỵẳữỶ]/u);
    expect(record('long-name').fullName.split(' ').length).toBeGreaterThanOrEqual(5);
    const a = record('same-name-dob-a');
    const b = record('same-name-dob-b');
    expect([a.fullName, a.dateOfBirth]).toEqual([b.fullName, b.dateOfBirth]);
    expect(a.idNumber).not.toBe(b.idNumber);
  });

  it('marriage: couple, divorce, foreign spouse', () => {
    const husband = record('married-husband');
    const wife = record('married-wife');
    expect([husband.spouseIdNumber, wife.spouseIdNumber]).toEqual([wife.idNumber, husband.idNumber]);
    expect(record('divorced').maritalStatus).toBe('divorced');
    expect(record('divorced').spouseName).toBeNull();
    const foreign = record('foreign-spouse');
    expect([foreign.spouseIdNumber, foreign.spouseNationality]).toEqual([null, 'KR']);
  });

  it('households and addresses: six or more members, temporary residence in Hà Nội, legacy address', () => {
    const head = record('large-household-head');
    expect(groups.find((g) => g.household.householdId === head.householdId)!.members.length).toBeGreaterThanOrEqual(6);
    const temporary = record('temporary-residence-hanoi');
    expect(temporary.permanentAddress.provinceCode).not.toBe('01');
    expect(temporary.temporaryAddress?.provinceCode).toBe('01');
    expect(temporary.currentAddress).toEqual(temporary.temporaryAddress);
    expect(record('legacy-address').permanentAddress.districtName).toBe('Quận Cầu Giấy');
    expect(record('legacy-address').permanentAddress.communeCode).toBeNull();
  });

  it('an ethnic minority citizen with a religion', () => {
    const r = record('ethnic-minority-religion');
    expect(r.ethnicityCode).not.toBe('01');
    expect(r.religionCode).not.toBe('00');
  });
});

describe('personaEvents', () => {
  it('dates the move seven days before the reference date and keeps fixed events fixed', () => {
    const events = personaEvents(TODAY);
    const move = events.find((e) => e.kind === 'move');
    expect(move).toEqual({
      idNumber: persona('moved-last-week').idNumber,
      kind: 'move',
      occurredAt: '2026-11-21T09:00:00+07:00',
      details: { fromCommuneCode: '00229', toCommuneCode: '09556' },
    });
    expect(events.find((e) => e.kind === 'death')?.occurredAt).toBe('2023-08-14T09:00:00+07:00');
    expect(events.map((e) => e.occurredAt)).toEqual([...events.map((e) => e.occurredAt)].sort());
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['birth', 'death', 'missing', 'move', 'marriage', 'divorce', 'new_card']));
  });
});
