import { beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { maskIdNumber } from '../../src/identity/id-number.js';
import { persona } from '../factories/registry.factory.js';
import { ADMIN_AUTH, api, DEVELOPER_AUTH, REGISTRY_HEADERS, uniqueRequestId, useTestApp } from '../utils/test-app.js';

/** What each answer discloses beyond its subject is bounded by the allow-list and audited citizen by citizen. */
describe('disclosure beyond the subject', () => {
  const testApp = useTestApp();
  let db: DataSource;

  beforeAll(async () => {
    db = testApp.app.get(DataSource);
  });

  const auditOf = (requestId: string) =>
    db.query(`SELECT citizen_masked, fields, outcome FROM access_audit WHERE request_id = $1 ORDER BY audit_id`, [requestId]);

  it('audits each child returned by the children field', async () => {
    const childrenRequest = uniqueRequestId('disclosure-children');
    const response = await api(testApp.app)
      .get('/registry/v1/citizens/001058999901?fields=children')
      .set('x-request-id', childrenRequest)
      .expect(200);
    expect(response.body.children.length).toBeGreaterThan(0);
    const rows = await auditOf(childrenRequest);
    expect(rows).toHaveLength(1 + response.body.children.length);
    for (const child of response.body.children) {
      expect(rows.map((row: { citizen_masked: string }) => row.citizen_masked)).toContain(`${child.idNumber.slice(0, 3)}*******${child.idNumber.slice(-2)}`);
    }
  });

  it('audits each parent and spouse a look-up shows by number, in JSON and in XML', async () => {
    const married = persona('married-husband');
    for (const accept of ['application/json', 'application/xml']) {
      const requestId = uniqueRequestId('disclosure-relatives');
      const response = await api(testApp.app)
        .get(`/registry/v1/citizens/${married.idNumber}?fields=fullName,father,mother,spouse`)
        .set({ 'x-request-id': requestId, accept })
        .expect(200);
      const { body } = await api(testApp.app).get(`/registry/v1/citizens/${married.idNumber}?fields=father,mother,spouse`).expect(200);
      const relatives = (['father', 'mother', 'spouse'] as const).filter((field) => body[field]?.idNumber);
      expect(relatives).toContain('spouse');
      if (accept === 'application/xml') expect(response.text).toContain(body.spouse.idNumber);
      const rows = await auditOf(requestId);
      expect(rows).toEqual([
        { citizen_masked: maskIdNumber(married.idNumber), fields: ['fullName', 'father', 'mother', 'spouse'], outcome: 'ok' },
        ...relatives.map((field) => ({ citizen_masked: maskIdNumber(body[field].idNumber), fields: [field], outcome: 'ok' })),
      ]);
    }
  });

  it('leaves one record of a changes-feed poll that shows nobody, and of a household listing\'s former head', async () => {
    const { body: everything } = await api(testApp.app).get('/registry/v1/changes?since=0&limit=1000').expect(200);
    expect(everything.hasMore).toBe(false);
    const pollRequest = uniqueRequestId('disclosure-empty-poll');
    const poll = await api(testApp.app).get(`/registry/v1/changes?since=${everything.nextCursor}`).set('x-request-id', pollRequest).expect(200);
    expect(poll.body.events).toEqual([]);
    expect(await auditOf(pollRequest)).toEqual([{ citizen_masked: null, fields: ['changes'], outcome: 'ok' }]);

    // A head recorded on the household but no longer among its members is still shown by number: audited too.
    const [household] = await db.query(`SELECT household_id, head_id_number FROM households WHERE head_id_number IS NOT NULL ORDER BY household_id LIMIT 1`);
    const [outsider] = await db.query(`SELECT id_number FROM citizens WHERE household_id <> $1 ORDER BY id_number LIMIT 1`, [household.household_id]);
    await db.query(`UPDATE households SET head_id_number = $2 WHERE household_id = $1`, [household.household_id, outsider.id_number]);
    try {
      const listingRequest = uniqueRequestId('disclosure-former-head');
      const listing = await api(testApp.app).get(`/registry/v1/households/${household.household_id}`).set('x-request-id', listingRequest).expect(200);
      expect(listing.body.head).toEqual({ idNumber: outsider.id_number, fullName: null });
      const masked = (await auditOf(listingRequest)).map((row: { citizen_masked: string }) => row.citizen_masked);
      expect(masked).toHaveLength(listing.body.members.length + 1);
      expect(masked).toContain(maskIdNumber(outsider.id_number));
    } finally {
      await db.query(`UPDATE households SET head_id_number = $2 WHERE household_id = $1`, [household.household_id, household.head_id_number]);
    }
  });

  it('keeps the household head out of the XML answer, as out of the JSON one', async () => {
    const response = await api(testApp.app)
      .get('/registry/v1/citizens/031192999918?fields=household')
      .set('accept', 'application/xml')
      .expect(200);
    expect(response.text).toContain('<QuanHe>');
    expect(response.text).not.toContain('001090999917');
  });

  it('refuses the changes feed and household listings under a service whose allow-list lacks what they show', async () => {
    const passport = { ...DEVELOPER_AUTH, 'x-service-code': '1.001456' };
    const feed = await api(testApp.app).get('/registry/v1/changes?since=0').set(passport).expect(403);
    expect(feed.body.code).toBe('fields_not_allowed');
    const residence = { ...DEVELOPER_AUTH, 'x-service-code': '1.004222' };
    const household = await api(testApp.app).get('/registry/v1/households/HP0000000001').set(residence).expect(403);
    expect(household.body.refusedFields).toEqual(expect.arrayContaining(['sex', 'citizenStatus']));
  });

  it('audits every citizen a page of the feed shows, both spouses of a marriage included', async () => {
    const feedRequest = uniqueRequestId('disclosure-feed');
    await api(testApp.app).get('/registry/v1/changes?since=0&limit=1000').set('x-request-id', feedRequest).expect(200);
    const masked = (await auditOf(feedRequest)).map((row: { citizen_masked: string }) => row.citizen_masked);
    expect(masked).toEqual(expect.arrayContaining(['001*******17', '031*******18']));
  });

  it('never takes a 12-digit run as a request id, and refuses one in a dossier id', async () => {
    const replaced = await api(testApp.app).get('/registry/v1/citizens/001090999921?fields=fullName').set('x-request-id', 'req-001090999921').expect(200);
    expect(replaced.headers['x-request-id']).not.toContain('001090999921');
    const refused = await api(testApp.app).get('/registry/v1/citizens/001090999921?fields=fullName').set({ ...REGISTRY_HEADERS, 'x-dossier-id': 'HS-036090999922' }).expect(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'header.X-Dossier-Id', rule: 'personal_id_number' });
  });

  it('refuses a new card dated before the card on record, and control characters in a service name', async () => {
    const card = await api(testApp.app).post('/sandbox/registry/events').send({ kind: 'new_card', idNumber: '001129999914', date: '1990-06-01' }).expect(409);
    expect(card.body.code).toBe('card_date_before_current');
    const service = await api(testApp.app)
      .put('/portal/v1/services/E2E-NUL')
      .set(ADMIN_AUTH)
      .send({ nameVi: 'a\u0000', nameEn: 'b', leadAgency: 'c', allowedFields: ['fullName'] })
      .expect(400);
    expect(service.body.errors[0]).toMatchObject({ field: 'nameVi', rule: 'control_characters' });
  });
});
