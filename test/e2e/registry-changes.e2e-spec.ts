import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { decodeIdNumber, PERSONA_RANDOM_FLOOR, validateIdNumber } from '../../src/identity/id-number.js';
import { PERSONAS } from '../../src/sandbox/population/personas.js';
import { ageOn, commune2025, isoDaysFromToday, moveEvent, persona, unusedIdNumber } from '../factories/registry.factory.js';
import { api, useTestApp } from '../utils/test-app.js';
import { expectProblem } from '../utils/problem.js';

interface FeedEvent {
  cursor: string;
  kind: string;
  idNumber: string;
  occurredAt: string;
  recordedAt: string;
  details: Record<string, any>;
}

/**
 * Expected card expiry under the Law on Identification 2023, art. 21, written independently of src/: renew at 14,
 * 25, 40 and 60; a card issued within two years before a renewal age runs to the next one; after 58, never expires.
 */
function expectedExpiry(dateOfBirth: string, issueDate: string): string | null {
  const age = ageOn(dateOfBirth, issueDate);
  const renewalAge = [14, 25, 40, 60].find((candidate) => age < candidate - 2);
  return renewalAge === undefined ? null : `${Number(dateOfBirth.slice(0, 4)) + renewalAge}${dateOfBirth.slice(4)}`;
}

describe('GET /registry/v1/changes', () => {
  const testApp = useTestApp();

  beforeAll(async () => {

  });

  const changes = (query: string) => api(testApp.app).get(`/registry/v1/changes?${query}`);

  it('starts with the personas\' events, in cursor order', async () => {
    const response = await changes('since=0').expect(200);
    expect(response.headers['x-popgate-data']).toBe('synthetic');
    const events = response.body.events as FeedEvent[];
    const expected = PERSONAS.flatMap((p) => p.events.map((e) => `${e.kind} ${p.idNumber}`)).sort();
    expect(events.map((e) => `${e.kind} ${e.idNumber}`).sort()).toEqual(expected);
    expect(events.every((e) => Number(e.idNumber.slice(6)) >= PERSONA_RANDOM_FLOOR)).toBe(true);
    const cursors = events.map((e) => BigInt(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(cursors).size).toBe(cursors.length);
    // Seeded history is appended oldest first.
    const times = events.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(response.body).toMatchObject({ nextCursor: events[events.length - 1].cursor, hasMore: false });
  });

  it('walks every event exactly once with limit=2 and nextCursor, ending with hasMore false', async () => {
    const all = (await changes('since=0&limit=1000').expect(200)).body.events as FeedEvent[];
    expect(all.length).toBeGreaterThan(2);
    const walked: FeedEvent[] = [];
    const hasMoreFlags: boolean[] = [];
    let since = '0';
    for (let page = 0; page < all.length + 2; page++) {
      const body = (await changes(`since=${since}&limit=2`).expect(200)).body;
      expect(body.events.length).toBeLessThanOrEqual(2);
      walked.push(...body.events);
      hasMoreFlags.push(body.hasMore);
      since = body.nextCursor;
      if (!body.hasMore) break;
    }
    expect(walked).toEqual(all);
    expect(hasMoreFlags).toEqual([...Array(Math.ceil(all.length / 2) - 1).fill(true), false]);
    const end = (await changes(`since=${since}&limit=2`).expect(200)).body;
    expect(end).toEqual({ events: [], nextCursor: since, hasMore: false });
  });

  it.each([
    ['since=abc', 'query.since'],
    ['since=-1', 'query.since'],
    ['since=1.5', 'query.since'],
    ['limit=0', 'query.limit'],
    ['limit=1001', 'query.limit'],
    ['limit=x', 'query.limit'],
    ['since=0&cursor=5', 'query.cursor'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const response = await changes(query);
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });
});

/** Recording change events: each updates the record and appends to the feed, atomically, or changes nothing. */
describe('POST /sandbox/registry/events', () => {
  const testApp = useTestApp();

  beforeAll(async () => {

  });

  const http = () => api(testApp.app);
  const citizen = async (idNumber: string, fields?: string) =>
    (await http().get(`/registry/v1/citizens/${idNumber}` + (fields ? `?fields=${fields}` : '')).expect(200)).body;
  const sql = <T>(text: string, values: unknown[] = []): Promise<T[]> => testApp.app.get(DataSource).query(text, values);

  /** Every event after `since`, across pages. */
  async function feedAfter(since: string): Promise<{ events: FeedEvent[]; nextCursor: string }> {
    const events: FeedEvent[] = [];
    for (;;) {
      const body = (await http().get(`/registry/v1/changes?since=${since}&limit=1000`).expect(200)).body;
      events.push(...body.events);
      since = body.nextCursor;
      if (!body.hasMore) return { events, nextCursor: since };
    }
  }

  /**
   * Posts an event and checks the feed against the answer: after a 201 the feed's next page holds exactly the
   * changes the answer lists; after a refusal the feed has not moved.
   */
  async function record(body: Record<string, unknown>): Promise<request.Response> {
    const before = (await feedAfter('0')).nextCursor;
    const response = await http().post('/sandbox/registry/events').send(body);
    const after = await feedAfter(before);
    expect(after.events).toEqual(response.status === 201 ? response.body.changes : []);
    return response;
  }

  /** Single adults of one sex among the generated citizens (not personas), alive and never married. */
  const singleAdults = (sex: 'male' | 'female', count: number) =>
    sql<{ id_number: string }>(
      `SELECT id_number FROM citizens
       WHERE sex = $1 AND status = 'alive' AND marital_status = 'single' AND length(date_of_birth) = 10
         AND date_of_birth BETWEEN '1960-01-01' AND '2000-01-01' AND substr(id_number, 7)::int < $2
       ORDER BY id_number LIMIT $3`,
      [sex, PERSONA_RANDOM_FLOOR, count],
    ).then((rows) => rows.map((row) => row.id_number));

  it('records a permanent move: the record shows the new 2025 address and the feed the event', async () => {
    const mover = persona('same-name-dob-a');
    const target = commune2025('20242');
    const response = await record(moveEvent(mover.idNumber, { address: { detail: 'Số 1 đường Bạch Đằng', communeCode: target.code } }));
    expect(response.status).toBe(201);
    expect(response.body.changes).toHaveLength(1);
    expect(response.body.changes[0]).toMatchObject({ kind: 'move', idNumber: mover.idNumber, details: { residence: 'permanent' } });
    const expectedAddress = {
      detail: 'Số 1 đường Bạch Đằng',
      communeCode: target.code,
      communeName: target.name,
      districtName: null,
      provinceCode: target.provinceCode,
      provinceName: target.provinceName,
    };
    const after = await citizen(mover.idNumber);
    expect(after.permanentAddress).toEqual(expectedAddress);
    expect(after.currentAddress).toEqual(expectedAddress);
    expect(response.body.changes[0].details.to).toEqual(expectedAddress);
    // The head's move moves the household.
    const household = await http().get(`/registry/v1/households/${mover.householdId}`).expect(200);
    expect(household.body.address).toEqual(expectedAddress);
  });

  it('records a temporary move: currentAddress follows it, the permanent address stays', async () => {
    const mover = persona('same-name-dob-b');
    const before = await citizen(mover.idNumber);
    const target = commune2025('00292');
    const response = await record(moveEvent(mover.idNumber, { residence: 'temporary', address: { detail: 'Phòng 3, số 15 phố Tạ Quang Bửu', communeCode: target.code } }));
    expect(response.status).toBe(201);
    const after = await citizen(mover.idNumber);
    expect(after.temporaryAddress).toMatchObject({ communeCode: target.code, communeName: target.name, provinceCode: target.provinceCode });
    expect(after.currentAddress).toEqual(after.temporaryAddress);
    expect(after.permanentAddress).toEqual(before.permanentAddress);
    expect(response.body.changes[0]).toMatchObject({ kind: 'move', idNumber: mover.idNumber, details: { residence: 'temporary' } });
  });

  it('records a death: the citizen is deceased and the spouse widowed', async () => {
    const husband = persona('married-husband');
    const wife = persona('married-wife');
    const date = isoDaysFromToday(-3);
    const response = await record({ kind: 'death', idNumber: husband.idNumber, date });
    expect(response.status).toBe(201);
    expect(response.body.changes).toEqual([expect.objectContaining({ kind: 'death', idNumber: husband.idNumber })]);
    expect(await citizen(husband.idNumber, 'citizenStatus,statusDate')).toEqual({ citizenStatus: 'deceased', statusDate: date });
    const widow = await citizen(wife.idNumber, 'maritalStatus,spouse,citizenStatus');
    expect(widow).toEqual({ maritalStatus: 'widowed', spouse: expect.objectContaining({ idNumber: husband.idNumber }), citizenStatus: 'alive' });
  });

  it('records a death without widowing a spouse who died before (they died married)', async () => {
    const widow = persona('widowed');
    const lateHusband = (await citizen(widow.idNumber, 'spouse')).spouse as { idNumber: string };
    const before = await citizen(lateHusband.idNumber, 'maritalStatus,citizenStatus');
    expect(before).toEqual({ maritalStatus: 'married', citizenStatus: 'deceased' });
    expect((await record({ kind: 'death', idNumber: widow.idNumber, date: isoDaysFromToday(-2) })).status).toBe(201);
    expect(await citizen(lateHusband.idNumber, 'maritalStatus,citizenStatus')).toEqual(before);
  });

  it.each([
    ['move', (id: string) => moveEvent(id)],
    ['death', (id: string) => ({ kind: 'death', idNumber: id, date: isoDaysFromToday(-1) })],
    ['missing', (id: string) => ({ kind: 'missing', idNumber: id, date: isoDaysFromToday(-1) })],
    ['marriage', (id: string) => ({ kind: 'marriage', idNumber: id, spouseIdNumber: persona('card-expired').idNumber })],
    ['divorce', (id: string) => ({ kind: 'divorce', idNumber: id })],
    ['new_card', (id: string) => ({ kind: 'new_card', idNumber: id })],
  ])('refuses a %s for a deceased citizen with 409 citizen_not_alive', async (_kind, event) => {
    const deceased = persona('deceased');
    const before = await citizen(deceased.idNumber);
    expectProblem(await record(event(deceased.idNumber)), 409, 'citizen_not_alive');
    expect(await citizen(deceased.idNumber)).toEqual(before);
  });

  it('refuses a birth to a mother who has died with 409 citizen_not_alive', async () => {
    const [, , mother] = await singleAdults('female', 3);
    expect((await record({ kind: 'death', idNumber: mother, date: isoDaysFromToday(-5) })).status).toBe(201);
    const response = await record({ kind: 'birth', motherIdNumber: mother, middleName: 'Văn', givenName: 'Phúc', sex: 'male' });
    expectProblem(response, 409, 'citizen_not_alive');
  });

  it('records a marriage of two single adults: both married to each other, one event each', async () => {
    const groom = persona('divorced');
    const [bride] = await singleAdults('female', 1);
    const response = await record({ kind: 'marriage', idNumber: groom.idNumber, spouseIdNumber: bride, date: isoDaysFromToday(-2) });
    expect(response.status).toBe(201);
    expect(response.body.changes.map((c: FeedEvent) => [c.kind, c.idNumber])).toEqual([
      ['marriage', groom.idNumber],
      ['marriage', bride],
    ]);
    const husband = await citizen(groom.idNumber, 'fullName,maritalStatus,spouse');
    const wife = await citizen(bride, 'fullName,maritalStatus,spouse');
    expect(husband).toEqual({ fullName: groom.fullName, maritalStatus: 'married', spouse: { idNumber: bride, fullName: wife.fullName, nationality: 'VN' } });
    expect(wife.maritalStatus).toBe('married');
    expect(wife.spouse).toEqual({ idNumber: groom.idNumber, fullName: groom.fullName, nationality: 'VN' });
  });

  it('refuses to marry someone already married with 409 already_married', async () => {
    const [, bride] = await singleAdults('female', 2);
    const married = persona('large-household-head');
    expectProblem(await record({ kind: 'marriage', idNumber: married.idNumber, spouseIdNumber: bride }), 409, 'already_married');
    expect((await citizen(bride, 'maritalStatus')).maritalStatus).toBe('single');
  });

  it('refuses a marriage under the legal age with 409 under_marriage_age', async () => {
    const response = await record({ kind: 'marriage', idNumber: persona('legacy-address').idNumber, spouseIdNumber: persona('minor').idNumber });
    expectProblem(response, 409, 'under_marriage_age');
    expect((await citizen(persona('legacy-address').idNumber, 'maritalStatus')).maritalStatus).toBe('single');
  });

  it('refuses a marriage between two people of the same sex with 409 same_sex_marriage', async () => {
    const [first, second] = await singleAdults('male', 2);
    expectProblem(await record({ kind: 'marriage', idNumber: first, spouseIdNumber: second }), 409, 'same_sex_marriage');
  });

  it('records a divorce: both former spouses divorced and unlinked, one event each', async () => {
    const wife = persona('ethnic-minority-religion');
    const husbandId = (await citizen(wife.idNumber, 'spouse')).spouse.idNumber as string;
    expect(husbandId).toMatch(/^\d{12}$/);
    const response = await record({ kind: 'divorce', idNumber: wife.idNumber });
    expect(response.status).toBe(201);
    expect(response.body.changes.map((c: FeedEvent) => [c.kind, c.idNumber])).toEqual([
      ['divorce', wife.idNumber],
      ['divorce', husbandId],
    ]);
    for (const idNumber of [wife.idNumber, husbandId]) {
      expect(await citizen(idNumber, 'maritalStatus,spouse')).toEqual({ maritalStatus: 'divorced', spouse: null });
    }
    expectProblem(await record({ kind: 'divorce', idNumber: wife.idNumber }), 409, 'not_married');
  });

  it.each([
    ['card-expired', '2026-11-20'],
    ['minor', '2026-11-20'],
    ['moved-last-week', '2026-11-20'],
    ['old-id-only', '2026-11-20'],
  ])('issues a new card to %s with the expiry of the 14/25/40/60 rule', async (key, date) => {
    const holder = persona(key);
    const response = await record({ kind: 'new_card', idNumber: holder.idNumber, date });
    expect(response.status).toBe(201);
    const card = (await citizen(holder.idNumber, 'idCard')).idCard;
    expect(card).toEqual({ issueDate: date, issuePlace: expect.any(String), expiryDate: expectedExpiry(holder.dateOfBirth, date) });
    expect(response.body.changes[0]).toMatchObject({ kind: 'new_card', idNumber: holder.idNumber, details: { card } });
  });

  it('registers a birth: a valid new ID, in the mother\'s household, parents linked', async () => {
    const date = isoDaysFromToday(-1);
    const [couple] = await sql<{ mother: string; father: string; household_id: string }>(
      `SELECT m.id_number AS mother, f.id_number AS father, m.household_id FROM citizens m
       JOIN citizens f ON f.id_number = m.spouse_id_number AND f.spouse_id_number = m.id_number
       WHERE m.sex = 'female' AND m.status = 'alive' AND f.status = 'alive' AND f.sex = 'male'
         AND length(m.date_of_birth) = 10 AND length(f.date_of_birth) = 10
         AND m.date_of_birth BETWEEN $1 AND $2 AND f.date_of_birth < $2 AND substr(m.id_number, 7)::int < $3
       ORDER BY m.id_number LIMIT 1`,
      [`${Number(date.slice(0, 4)) - 45}${date.slice(4)}`, `${Number(date.slice(0, 4)) - 20}${date.slice(4)}`, PERSONA_RANDOM_FLOOR],
    );
    expect(couple).toBeDefined();
    const response = await record({ kind: 'birth', motherIdNumber: couple.mother, fatherIdNumber: couple.father, middleName: 'Minh', givenName: 'Khôi', sex: 'male', date });
    expect(response.status).toBe(201);
    expect(response.body.changes).toHaveLength(1);
    const newbornId = response.body.changes[0].idNumber as string;
    expect(response.body.changes[0].kind).toBe('birth');
    expect(validateIdNumber(newbornId)).toEqual([]);
    expect(decodeIdNumber(newbornId)).toMatchObject({ sex: 'male', birthYear: Number(date.slice(0, 4)) });
    expect(Number(newbornId.slice(6))).toBeLessThan(PERSONA_RANDOM_FLOOR);

    const newborn = await citizen(newbornId, 'fullName,dateOfBirth,sex,father,mother,household,idCard,maritalStatus');
    expect(newborn).toMatchObject({
      fullName: expect.stringMatching(/ Minh Khôi$/),
      dateOfBirth: date,
      sex: 'male',
      father: { idNumber: couple.father },
      mother: { idNumber: couple.mother },
      household: { householdId: couple.household_id },
      idCard: null,
      maritalStatus: 'single',
    });
    const household = await http().get(`/registry/v1/households/${couple.household_id}`).expect(200);
    expect(household.body.members.map((m: { idNumber: string }) => m.idNumber)).toContain(newbornId);
    for (const parent of [couple.mother, couple.father]) {
      const { children } = await citizen(parent, 'children');
      expect(children.map((c: { idNumber: string }) => c.idNumber)).toContain(newbornId);
    }
  });

  it('refuses an unknown commune code with 400 unknown_commune', async () => {
    const mover = persona('long-name');
    const before = await citizen(mover.idNumber, 'permanentAddress');
    const response = await record(moveEvent(mover.idNumber, { address: { detail: 'Số 9', communeCode: '99999' } }));
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'address.communeCode', rule: 'unknown_commune' })]);
    expect(await citizen(mover.idNumber, 'permanentAddress')).toEqual(before);
  });

  it('refuses an unknown kind with 400', async () => {
    const response = await record({ kind: 'adoption', idNumber: persona('long-name').idNumber });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['kind']);
  });

  it('refuses a date in the future with 400', async () => {
    const response = await record({ kind: 'death', idNumber: persona('long-name').idNumber, date: isoDaysFromToday(2) });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'date' })]);
    expect((await citizen(persona('long-name').idNumber, 'citizenStatus')).citizenStatus).toBe('alive');
  });

  it('refuses a move dated before the citizen was born, and any date before 1900, with 400 naming date', async () => {
    const mover = persona('long-name');
    const before = await citizen(mover.idNumber, 'permanentAddress');
    const beforeBirth = await record(moveEvent(mover.idNumber, { date: '1901-01-01' }));
    expectProblem(beforeBirth, 400, 'validation_failed');
    expect(beforeBirth.body.errors).toEqual([expect.objectContaining({ field: 'date', rule: 'before_birth' })]);
    // Year 0000 is valid ISO 8601 but not a PostgreSQL date: refused by the schema, never a 500.
    for (const event of [moveEvent(mover.idNumber, { date: '0000-01-01' }), { kind: 'divorce', idNumber: persona('married-husband').idNumber, date: '0000-01-01' }]) {
      const ancient = await record(event);
      expectProblem(ancient, 400, 'validation_failed');
      expect(ancient.body.errors).toEqual([expect.objectContaining({ field: 'date', rule: 'min_date' })]);
    }
    expect(await citizen(mover.idNumber, 'permanentAddress')).toEqual(before);
  });

  it('answers 404 citizen_not_found for a valid ID number that nobody holds', async () => {
    expectProblem(await record(moveEvent(unusedIdNumber())), 404, 'citizen_not_found');
  });
});
