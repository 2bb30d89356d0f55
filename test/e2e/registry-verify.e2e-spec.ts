import { beforeAll, describe, expect, it } from '@jest/globals';
import { persona, unusedIdNumber, verifyBody } from '../factories/registry.factory.js';
import { api, useTestApp } from '../utils/test-app.js';

type FieldError = { field: string; rule: string; message: string };

/** Verify (xác thực) and verify-batch: per-field checks, verdicts, and refusal of every kind of bad body. */
describe('POST /registry/v1/citizens/verify', () => {
  const testApp = useTestApp();

  beforeAll(async () => {

  });

  const verify = (body: unknown) => api(testApp.app).post('/registry/v1/citizens/verify').send(body as object);

  async function expectValidationFailed(body: unknown): Promise<FieldError[]> {
    const response = await verify(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('validation_failed');
    return response.body.errors;
  }

  it('matches exactly when ID, name, date of birth and sex are as recorded', async () => {
    const response = await verify(verifyBody({ sex: 'male' })).expect(200);
    expect(response.headers['x-popgate-data']).toBe('synthetic');
    expect(response.body).toEqual({
      verdict: 'match',
      citizenStatus: 'alive',
      checks: { idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact', sex: 'exact' },
    });
  });

  it.each([
    ['married-husband', 'VU DUC THANH'],
    ['rare-diacritics', 'LU THI Y LAN'],
    ['rare-diacritics', 'LỮ THỊ Ỷ LAN'],
    ['married-husband', '  vũ   đức thành '],
    // Ð (U+00D0, eth) looks like Đ and is often typed for it; the persona is Đỗ Văn Nam.
    ['missing', '\u00d0Ỗ VĂN NAM'],
    ['missing', '\u00d0O VAN NAM'],
  ])('matches %s as "normalized" when sent as %j', async (key, fullName) => {
    const response = await verify(verifyBody({ fullName }, key)).expect(200);
    expect(response.body.verdict).toBe('match');
    expect(response.body.checks.fullName).toBe('normalized');
  });

  it('matches a name sent in NFD as "normalized"', async () => {
    const { fullName } = persona('rare-diacritics');
    const response = await verify(verifyBody({ fullName: fullName.normalize('NFD') }, 'rare-diacritics')).expect(200);
    expect(response.body).toMatchObject({ verdict: 'match', checks: { fullName: 'normalized' } });
  });

  it('refuses another name as a mismatch', async () => {
    const response = await verify(verifyBody({ fullName: 'Vũ Đức Thịnh' })).expect(200);
    expect(response.body).toEqual({
      verdict: 'mismatch',
      citizenStatus: null,
      checks: { idNumber: 'exact', fullName: 'mismatch', dateOfBirth: 'exact' },
    });
  });

  it("accepts the chip card QR's DDMMYYYY date", async () => {
    const response = await verify(verifyBody({ dateOfBirth: '25011990' })).expect(200);
    expect(response.body).toMatchObject({ verdict: 'match', checks: { dateOfBirth: 'exact' } });
  });

  it.each([
    ['year-only-birth-date', '1929-06-15'],
    ['year-only-birth-date', '15061929'],
    ['month-year-birth-date', '1948-03-21'],
  ])('answers "partial" for %s verified with the full date %s', async (key, dateOfBirth) => {
    const response = await verify(verifyBody({ dateOfBirth }, key)).expect(200);
    expect(response.body).toMatchObject({ verdict: 'match', checks: { dateOfBirth: 'partial' } });
  });

  it.each([
    ['married-husband', '1990'],
    ['married-husband', '1990-01'],
    ['month-year-birth-date', '1948'],
  ])('refuses a request less precise than the record: %s with %s', async (key, dateOfBirth) => {
    const response = await verify(verifyBody({ dateOfBirth }, key)).expect(200);
    expect(response.body).toMatchObject({ verdict: 'mismatch', citizenStatus: null, checks: { dateOfBirth: 'mismatch' } });
  });

  it('refuses a wrong date of birth', async () => {
    const response = await verify(verifyBody({ dateOfBirth: '1990-01-26' })).expect(200);
    expect(response.body).toMatchObject({ verdict: 'mismatch', checks: { dateOfBirth: 'mismatch' } });
  });

  it('refuses the wrong sex', async () => {
    const response = await verify(verifyBody({ sex: 'female' })).expect(200);
    expect(response.body).toEqual({
      verdict: 'mismatch',
      citizenStatus: null,
      checks: { idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact', sex: 'mismatch' },
    });
  });

  it('answers an unknown ID with 200 not_found in the same shape as a mismatch', async () => {
    const mismatch = await verify(verifyBody({ sex: 'female' })).expect(200);
    const unknown = await verify(verifyBody({ idNumber: unusedIdNumber(), sex: 'female' })).expect(200);
    expect(unknown.body.verdict).toBe('not_found');
    expect(unknown.body.citizenStatus).toBeNull();
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(mismatch.body).sort());
    expect(Object.keys(unknown.body.checks).sort()).toEqual(Object.keys(mismatch.body.checks).sort());
    expect(Object.values(unknown.body.checks)).toEqual(['mismatch', 'mismatch', 'mismatch', 'mismatch']);
  });

  it.each([
    ['deceased', 'deceased'],
    ['missing', 'missing'],
  ])('matches the %s persona and reports citizenStatus %s', async (key, status) => {
    const response = await verify(verifyBody({}, key)).expect(200);
    expect(response.body).toMatchObject({ verdict: 'match', citizenStatus: status });
  });

  describe('invalid bodies', () => {
    it('reports a "required" error for each missing field', async () => {
      const errors = await expectValidationFailed({});
      expect(errors.filter((e) => e.rule === 'required').map((e) => e.field).sort()).toEqual(['dateOfBirth', 'fullName', 'idNumber']);
    });

    it('reports a field of the wrong type as "type", not as missing', async () => {
      const errors = await expectValidationFailed(verifyBody({ idNumber: 1234567890 as unknown as string }));
      expect(errors.map((e) => [e.field, e.rule])).toEqual([['idNumber', 'type']]);
    });

    it('refuses an unknown property', async () => {
      const errors = await expectValidationFailed(verifyBody({ nickname: 'Thành' }));
      expect(errors).toEqual([{ field: 'nickname', rule: 'unknown_property', message: expect.any(String) }]);
    });

    it.each(['2023-02-30', '1990-13-01', '32011990', '1990/01/25', 'yesterday'])('refuses the impossible or malformed date %s', async (dateOfBirth) => {
      const errors = await expectValidationFailed(verifyBody({ dateOfBirth }));
      expect(errors.map((e) => e.field)).toEqual(['dateOfBirth']);
    });

    it('refuses a NUL byte in the name with 400 control_characters, not 500', async () => {
      const errors = await expectValidationFailed(verifyBody({ fullName: 'Vũ Đức\u0000 Thành' }));
      expect(errors.map((e) => [e.field, e.rule])).toEqual([['fullName', 'control_characters']]);
    });

    it('refuses a 10,000-character Unicode name', async () => {
      const errors = await expectValidationFailed(verifyBody({ fullName: 'Ữ'.repeat(10_000) }));
      expect(errors.map((e) => e.field)).toEqual(['fullName']);
    });

    it('refuses a malformed ID number with every broken rule', async () => {
      const errors = await expectValidationFailed(verifyBody({ idNumber: '000190012345' }));
      expect(errors.map((e) => [e.field, e.rule])).toEqual([['idNumber', 'province_code']]);
    });

    it.each([['an array', []], ['null', null], ['a string', 'hello']])('refuses %s as the body', async (_label, body) => {
      const response = await api(testApp.app)
        .post('/registry/v1/citizens/verify')
        .set('content-type', 'application/json')
        .send(JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});

describe('POST /registry/v1/citizens/verify-batch', () => {
  const testApp = useTestApp();

  beforeAll(async () => {

  });

  const verifyBatch = (body: unknown) => api(testApp.app).post('/registry/v1/citizens/verify-batch').send(body as object);

  it('answers in the order of the items, with an error entry in place of an invalid item', async () => {
    const items = [
      verifyBody(),
      verifyBody({}, 'deceased'),
      verifyBody({ idNumber: unusedIdNumber() }),
      verifyBody({ idNumber: 'abc' }),
      verifyBody({ dateOfBirth: '1990' }),
      verifyBody({ fullName: 'NGUYEN VAN AN' }, 'same-name-dob-b'),
    ];
    const response = await verifyBatch({ items }).expect(200);
    const results = response.body.results;
    expect(results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results[0]).toMatchObject({ verdict: 'match', citizenStatus: 'alive' });
    expect(results[1]).toMatchObject({ verdict: 'match', citizenStatus: 'deceased' });
    expect(results[2]).toMatchObject({ verdict: 'not_found', citizenStatus: null });
    expect(results[3]).toEqual({
      index: 3,
      error: { code: 'validation_failed', detail: expect.any(String), errors: expect.any(Array) },
    });
    const itemErrors = results[3].error.errors as FieldError[];
    expect(itemErrors.length).toBeGreaterThan(0);
    expect(new Set(itemErrors.map((e) => e.field))).toEqual(new Set(['items.3.idNumber']));
    expect(itemErrors.map((e) => e.rule)).toEqual(expect.arrayContaining(['length', 'digits', 'province_code']));
    expect(results[4]).toMatchObject({ verdict: 'mismatch', checks: { dateOfBirth: 'mismatch' } });
    expect(results[5]).toMatchObject({ verdict: 'match', checks: { fullName: 'normalized' } });
  });

  it('verifies 1,000 items in one call', async () => {
    const keys = ['married-husband', 'married-wife', 'deceased', 'year-only-birth-date'];
    const items = Array.from({ length: 1_000 }, (_, i) => verifyBody({}, keys[i % keys.length]));
    const response = await verifyBatch({ items }).expect(200);
    expect(response.body.results).toHaveLength(1_000);
    expect(response.body.results.map((r: { index: number }) => r.index)).toEqual(items.map((_, i) => i));
    expect(response.body.results.every((r: { verdict: string }) => r.verdict === 'match')).toBe(true);
  });

  it('refuses 1,001 items with 413 payload_too_large', async () => {
    const response = await verifyBatch({ items: Array.from({ length: 1_001 }, () => verifyBody()) });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('payload_too_large');
  });

  it.each([
    ['empty items', { items: [] }, 'items'],
    ['missing items', {}, 'items'],
    ['items that are not an array', { items: 'all' }, 'items'],
    ['an unknown property', { items: [verifyBody()], mode: 'fast' }, 'mode'],
  ])('refuses %s with 400', async (_label, body, field) => {
    const response = await verifyBatch(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((e: FieldError) => e.field)).toEqual([field]);
  });
});
