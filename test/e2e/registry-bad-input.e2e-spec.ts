import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { persona } from '../factories/registry.factory.js';
import { createTestApp, seedTestDataset, api } from '../utils/test-app.js';

/**
 * Hostile values, each as it goes on the wire: `encoded` strings are percent-encoded by the test, `raw` ones are
 * sent as written (already percent-encoded, or deliberately not: dot segments, NUL, an overlong UTF-8 slash).
 */
const HOSTILE: readonly { label: string; wire: string }[] = [
  ...["' OR 1=1 --", '1; DROP TABLE citizens', '../../etc/passwd', 'x'.repeat(5_000), '\u0000'].map((value) => ({
    label: `encoded ${JSON.stringify(value.slice(0, 24))}${value.length > 24 ? `… (${value.length} chars)` : ''}`,
    wire: encodeURIComponent(value),
  })),
  { label: 'raw ../../etc/passwd', wire: '../../etc/passwd' },
  { label: 'raw ..%2F..%2Fetc%2Fpasswd', wire: '..%2F..%2Fetc%2Fpasswd' },
  { label: 'raw %00', wire: '%00' },
  { label: 'raw 001090%00999921', wire: '001090%00999921' },
  { label: 'raw overlong UTF-8 %C0%AF', wire: '%C0%AF' },
];

/** Every path and query parameter of the registry and sandbox GET endpoints, as a URL around the hostile value. */
const PARAMETERS: readonly { name: string; url: (wire: string) => string }[] = [
  { name: 'GET citizens/{idNumber}', url: (v) => `/registry/v1/citizens/${v}` },
  { name: 'GET citizens/{idNumber}?fields', url: (v) => `/registry/v1/citizens/${persona('married-husband').idNumber}?fields=${v}` },
  { name: 'GET households/{householdId}', url: (v) => `/registry/v1/households/${v}` },
  { name: 'GET changes?since', url: (v) => `/registry/v1/changes?since=${v}` },
  { name: 'GET changes?limit', url: (v) => `/registry/v1/changes?limit=${v}` },
  { name: 'GET sandbox/jobs/{jobId}', url: (v) => `/sandbox/jobs/${v}` },
];

/** The JSON bodies' identifier fields, which reach SQL as bind parameters. */
const BODY_FIELDS: readonly { name: string; path: string; body: (value: string) => Record<string, unknown> }[] = [
  { name: 'POST verify idNumber', path: '/registry/v1/citizens/verify', body: (v) => ({ idNumber: v, fullName: 'Vũ Đức Thành', dateOfBirth: '1990-01-25' }) },
  { name: 'POST events idNumber', path: '/sandbox/registry/events', body: (v) => ({ kind: 'new_card', idNumber: v }) },
  { name: 'POST events address.communeCode', path: '/sandbox/registry/events', body: (v) => ({ kind: 'move', idNumber: persona('long-name').idNumber, address: { detail: 'Số 1', communeCode: v } }) },
  { name: 'POST reset seed', path: '/sandbox/reset', body: (v) => ({ seed: v, citizens: 10 }) },
];

/** Hostile strings for JSON bodies, where they arrive decoded. */
const HOSTILE_BODY_VALUES = ["' OR 1=1 --", '1; DROP TABLE citizens', '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5_000), '\u0000', '%00', '\u00c0\u00af'];

type Outcome = { input: string; status: number; contentType: string | undefined };

/** A 4xx problem document, never a 5xx or a bare framework error; anything else is listed with its input. */
function offenders(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter((o) => !(o.status >= 400 && o.status < 500 && /^application\/problem\+json/.test(o.contentType ?? '')));
}

describe('hostile input on every parameter', () => {
  let app: NestFastifyApplication;
  let citizensBefore: number;

  const countCitizens = async (): Promise<number> =>
    (await app.get(DataSource).query(`SELECT count(*)::int AS n FROM citizens`))[0].n;

  beforeAll(async () => {
    app = await createTestApp();
    await seedTestDataset(app);
    citizensBefore = await countCitizens();
  });

  afterAll(async () => {
    await app.close();
  });

  const http = () => api(app);

  it.each(PARAMETERS.map((p) => [p.name, p] as const))('%s: answers a 4xx problem document to every hostile value', async (_name, parameter) => {
    const outcomes: Outcome[] = [];
    for (const { label, wire } of HOSTILE) {
      const response = await http().get(parameter.url(wire));
      outcomes.push({ input: label, status: response.status, contentType: response.headers['content-type'] });
    }
    expect(offenders(outcomes)).toEqual([]);
  });

  it.each(BODY_FIELDS.map((f) => [f.name, f] as const))('%s: answers a 4xx problem document to every hostile value', async (_name, field) => {
    const outcomes: Outcome[] = [];
    for (const value of HOSTILE_BODY_VALUES) {
      const response = await http().post(field.path).send(field.body(value));
      outcomes.push({ input: JSON.stringify(value.slice(0, 24)), status: response.status, contentType: response.headers['content-type'] });
    }
    expect(offenders(outcomes)).toEqual([]);
  });

  it('POST verify-batch: answers every hostile items[].idNumber with an error entry in its place', async () => {
    const items = HOSTILE_BODY_VALUES.map((idNumber) => ({ idNumber, fullName: 'Vũ Đức Thành', dateOfBirth: '1990-01-25' }));
    const response = await http().post('/registry/v1/citizens/verify-batch').send({ items }).expect(200);
    expect(response.body.results.map((r: { index: number; error?: { code: string } }) => [r.index, r.error?.code])).toEqual(
      items.map((_, index) => [index, 'validation_failed']),
    );
  });

  it('leaves the citizens table as it was', async () => {
    expect(citizensBefore).toBeGreaterThan(2_000);
    expect(await countCitizens()).toBe(citizensBefore);
    await http().get(`/registry/v1/citizens/${persona('married-husband').idNumber}?fields=fullName`).expect(200);
  });
});
