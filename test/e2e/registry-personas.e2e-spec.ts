import { beforeAll, describe, expect, it } from '@jest/globals';
import { PERSONA_RANDOM_FLOOR } from '../../src/identity/id-number.js';
import { PERSONAS } from '../../src/sandbox/population/personas.js';
import { ageOn, persona } from '../factories/registry.factory.js';
import { TEST_DATASET, api, useTestApp } from '../utils/test-app.js';

type Citizen = Record<string, any>;
type FeedEvent = { cursor: string; kind: string; idNumber: string; occurredAt: string; details: Record<string, unknown> };

interface CheckContext {
  /** Look-up with the default fields (or the named ones). */
  lookup: (idNumber: string, fields?: string) => Promise<Citizen>;
  http: () => ReturnType<typeof api>;
  feed: FeedEvent[];
}

const TODAY = TEST_DATASET.referenceDate;
/** Letters that Vietnamese names rarely use (hook above or tilde on y, horn with tilde or dot on u, ...). */
const RARE_LETTERS = /[ỶỷỸỹỴỵỮữỰựẴẵẲẳẪẫ]/u;

/** The day in Vietnam (UTC+7) of an instant: persona events happen at 09:00 local time. */
function vietnamDay(instant: string): string {
  return new Date(Date.parse(instant) + 7 * 3_600_000).toISOString().slice(0, 10);
}

function isoDaysBefore(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

async function expectNamesakes(citizen: Citizen, otherKey: string, context: CheckContext): Promise<void> {
  const other = await context.lookup(persona(otherKey).idNumber);
  expect(other.fullName).toBe(citizen.fullName);
  expect(other.dateOfBirth).toBe(citizen.dateOfBirth);
  expect(other.idNumber).not.toBe(citizen.idNumber);
}

async function expectSpouses(citizen: Citizen, otherKey: string, context: CheckContext): Promise<void> {
  const other = await context.lookup(persona(otherKey).idNumber);
  expect(citizen.maritalStatus).toBe('married');
  expect(other.maritalStatus).toBe('married');
  expect(citizen.spouse).toEqual({ idNumber: other.idNumber, fullName: other.fullName, nationality: 'VN' });
  expect(other.spouse).toEqual({ idNumber: citizen.idNumber, fullName: citizen.fullName, nationality: 'VN' });
  expect(citizen.sex).not.toBe(other.sex);
}

/**
 * What each persona is for, checked on its look-up. Keyed by persona key: a persona added to src/ without a check
 * here fails the "has a check" test, so the catalogue and the checks cannot drift apart.
 */
const CHECKS: Record<string, (citizen: Citizen, context: CheckContext) => void | Promise<void>> = {
  'large-household-head': async (citizen, { http }) => {
    expect(citizen.household.relationship).toBe('head');
    const household = await http().get(`/registry/v1/households/${citizen.household.householdId}`).expect(200);
    expect(household.body.head.idNumber).toBe(citizen.idNumber);
    expect(household.body.members.length).toBeGreaterThanOrEqual(6);
  },
  'card-no-expiry': (citizen) => {
    expect(citizen.idCard).toEqual(expect.objectContaining({ issueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), expiryDate: null }));
  },
  'minor-with-card': (citizen) => {
    expect(ageOn(citizen.dateOfBirth, TODAY)).toBeLessThan(18);
    expect(ageOn(citizen.dateOfBirth, citizen.idCard.issueDate)).toBeLessThan(14);
    // Issued within two years before 14, so valid until the 25th birthday.
    expect(citizen.idCard.expiryDate).toBe(`${Number(citizen.dateOfBirth.slice(0, 4)) + 25}${citizen.dateOfBirth.slice(4)}`);
  },
  minor: (citizen) => {
    expect(ageOn(citizen.dateOfBirth, TODAY)).toBeLessThan(18);
    expect(citizen.idCard).toBeNull();
    expect(citizen.father.idNumber).toMatch(/^\d{12}$/);
    expect(citizen.mother.idNumber).toMatch(/^\d{12}$/);
  },
  newborn: (citizen, { feed }) => {
    expect(citizen.dateOfBirth).toMatch(/^2026-\d{2}-\d{2}$/);
    expect(citizen.idCard).toBeNull();
    expect(citizen.oldIdNumber).toBeNull();
    expect(citizen.father.idNumber).toMatch(/^\d{12}$/);
    expect(citizen.mother.idNumber).toMatch(/^\d{12}$/);
    expect(feed.filter((e) => e.idNumber === citizen.idNumber).map((e) => e.kind)).toEqual(['birth']);
  },
  widowed: async (citizen, { lookup }) => {
    expect(citizen.maritalStatus).toBe('widowed');
    const late = await lookup(citizen.spouse.idNumber);
    expect(late.citizenStatus).toBe('deceased');
  },
  deceased: (citizen, { feed }) => {
    expect(citizen.citizenStatus).toBe('deceased');
    expect(citizen.statusDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const death = feed.find((e) => e.idNumber === citizen.idNumber && e.kind === 'death');
    expect(death && vietnamDay(death.occurredAt)).toBe(citizen.statusDate);
  },
  missing: (citizen, { feed }) => {
    expect(citizen.citizenStatus).toBe('missing');
    expect(citizen.statusDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(feed.some((e) => e.idNumber === citizen.idNumber && e.kind === 'missing')).toBe(true);
  },
  'card-expired': (citizen) => {
    expect(citizen.idCard.expiryDate < TODAY).toBe(true);
  },
  'old-id-only': (citizen) => {
    expect(citizen.idCard).toBeNull();
    expect(citizen.oldIdNumber).toMatch(/^\d{9}$/);
  },
  'year-only-birth-date': (citizen) => {
    expect(citizen.dateOfBirth).toMatch(/^\d{4}$/);
  },
  'month-year-birth-date': (citizen) => {
    expect(citizen.dateOfBirth).toMatch(/^\d{4}-\d{2}$/);
  },
  divorced: (citizen, { feed }) => {
    expect(citizen.maritalStatus).toBe('divorced');
    expect(citizen.spouse).toBeNull();
    expect(feed.some((e) => e.idNumber === citizen.idNumber && e.kind === 'divorce')).toBe(true);
  },
  'married-husband': (citizen, context) => expectSpouses(citizen, 'married-wife', context),
  'married-wife': (citizen, context) => expectSpouses(citizen, 'married-husband', context),
  'rare-diacritics': (citizen) => {
    expect(citizen.fullName).toMatch(RARE_LETTERS);
    expect(citizen.fullName).toBe(citizen.fullName.normalize('NFC'));
  },
  'long-name': (citizen) => {
    expect(citizen.fullName.split(' ').length).toBeGreaterThanOrEqual(5);
  },
  'same-name-dob-a': (citizen, context) => expectNamesakes(citizen, 'same-name-dob-b', context),
  'same-name-dob-b': (citizen, context) => expectNamesakes(citizen, 'same-name-dob-a', context),
  'moved-last-week': (citizen, { feed }) => {
    const moves = feed.filter((e) => e.idNumber === citizen.idNumber && e.kind === 'move');
    expect(moves.map((e) => vietnamDay(e.occurredAt))).toEqual([isoDaysBefore(TODAY, 7)]);
    // The record and the feed agree: the record is at the address the move went to.
    expect(moves[0].details.toCommuneCode).toBe(citizen.permanentAddress.communeCode);
    expect(citizen.currentAddress).toEqual(citizen.permanentAddress);
  },
  'foreign-spouse': (citizen) => {
    expect(citizen.maritalStatus).toBe('married');
    expect(citizen.spouse.nationality).toMatch(/^[A-Z]{2}$/);
    expect(citizen.spouse.nationality).not.toBe('VN');
    expect(citizen.spouse.idNumber).toBeNull();
    expect(citizen.spouse.fullName).toMatch(/\S/);
  },
  'temporary-residence-hanoi': (citizen) => {
    expect(citizen.temporaryAddress.provinceCode).toBe('01');
    expect(citizen.permanentAddress.provinceCode).not.toBe('01');
    expect(citizen.currentAddress).toEqual(citizen.temporaryAddress);
  },
  'ethnic-minority-religion': async (citizen, { lookup }) => {
    expect(citizen).not.toHaveProperty('ethnicity');
    const sensitive = await lookup(citizen.idNumber, 'ethnicity,religion');
    expect(sensitive.ethnicity.code).toMatch(/^\d{2}$/);
    expect(sensitive.ethnicity.code).not.toBe('01');
    expect(sensitive.religion.code).toMatch(/^\d{2}$/);
    expect(sensitive.religion.code).not.toBe('00');
  },
  'legacy-address': (citizen) => {
    expect(citizen.permanentAddress.districtName).toMatch(/\S/);
    expect(citizen.permanentAddress.communeCode).toBeNull();
  },
};

/** The sandbox personas: present in the dataset, each as special as its catalogue entry says, each verifiable. */
describe('sandbox personas', () => {
  const testApp = useTestApp();
  let context: CheckContext;

  beforeAll(async () => {
    const http = () => api(testApp.app);
    const feed = await http().get('/registry/v1/changes?since=0&limit=1000').expect(200);
    expect(feed.body.hasMore).toBe(false);
    context = {
      http,
      feed: feed.body.events,
      lookup: async (idNumber, fields) => {
        const response = await http().get(`/registry/v1/citizens/${idNumber}` + (fields ? `?fields=${fields}` : ''));
        expect([idNumber, response.status]).toEqual([idNumber, 200]);
        return response.body;
      },
    };
  });

  it('GET /sandbox/personas lists at least 20 personas, all in the reserved ID range', async () => {
    const response = await context.http().get('/sandbox/personas').expect(200);
    const personas = response.body.personas as { idNumber: string; key: string; title: string; tests: string; specialFields: string[] }[];
    expect(personas.length).toBeGreaterThanOrEqual(20);
    for (const entry of personas) {
      const randomPart = Number(entry.idNumber.slice(6));
      expect([entry.key, randomPart >= PERSONA_RANDOM_FLOOR && randomPart <= 999_999]).toEqual([entry.key, true]);
      expect(entry.idNumber).toMatch(/^\d{12}$/);
      expect(entry.specialFields.length).toBeGreaterThan(0);
    }
    expect(personas.map((p) => [p.key, p.idNumber])).toEqual(PERSONAS.map((p) => [p.key, p.idNumber]));
    expect(new Set(personas.map((p) => p.idNumber)).size).toBe(personas.length);
  });

  it('has a check for every persona', () => {
    expect(PERSONAS.map((p) => p.key).filter((key) => !(key in CHECKS))).toEqual([]);
  });

  it.each(PERSONAS.map((p) => [p.key, p] as const))('%s: its look-up shows what it tests', async (key, entry) => {
    const citizen = await context.lookup(entry.idNumber);
    expect(citizen.idNumber).toBe(entry.idNumber);
    expect(citizen.fullName).toBe(entry.fullName);
    expect(citizen.dateOfBirth).toBe(entry.dateOfBirth);
    const check = CHECKS[key];
    expect(check).toBeDefined();
    await check(citizen, context);
  });

  it.each(PERSONAS.map((p) => [p.key, p] as const))('%s: verifies with its full name and date of birth', async (_key, entry) => {
    const response = await context
      .http()
      .post('/registry/v1/citizens/verify')
      .send({ idNumber: entry.idNumber, fullName: entry.fullName, dateOfBirth: entry.dateOfBirth })
      .expect(200);
    expect(response.body).toEqual({
      verdict: 'match',
      citizenStatus: expect.stringMatching(/^(alive|deceased|missing)$/),
      checks: { idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact' },
    });
  });
});
