import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { PG_POOL } from '../../src/database/database.module.js';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { putFaults, rowsOf } from '../factories/faults.factory.js';
import { persona } from '../factories/registry.factory.js';
import { createTestApp, expectEventually, seedTestDataset, uniqueRequestId } from '../utils/test-app.js';

/** What a real HTTP client saw of one call: an answer (status, headers, body, when headers and body came) or an error. */
interface Seen {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: string;
  headersAfterMs?: number;
  endAfterMs?: number;
  error?: NodeJS.ErrnoException;
  gaveUpAfterMs?: number;
}

/**
 * Simulated faults as a client sees them on the socket: node:http against the gateway listening on 127.0.0.1, no
 * test shortcut in between. Each faulted call's journal row is checked too.
 */
describe('fault kinds on the wire', () => {
  let app: NestFastifyApplication;
  let port: number;
  let client: TestConsumer;
  const husband = persona('married-husband');

  beforeAll(async () => {
    app = await createTestApp();
    await seedTestDataset(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.getHttpServer().address() as AddressInfo).port;
    client = await createTestConsumer(app, { serviceCodes: ['SANDBOX-ALL'] });
  });
  afterAll(() => app?.close());

  /** A look-up over a fresh connection, given up after `giveUpAfterMs` without an answer. */
  function call(headers: Record<string, string>, giveUpAfterMs = 10_000, path = `/registry/v1/citizens/${husband.idNumber}?fields=fullName,dateOfBirth`): Promise<Seen> {
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    return new Promise((resolve) => {
      const request = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { ...client.auth, 'x-service-code': 'SANDBOX-ALL', ...headers } }, (response) => {
        const seen: Seen = { status: response.statusCode, headers: response.headers, headersAfterMs: since(), body: '' };
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (seen.body += chunk));
        response.on('end', () => resolve({ ...seen, endAfterMs: since() }));
        response.on('error', (error) => resolve({ ...seen, error }));
      });
      request.setTimeout(giveUpAfterMs, () => {
        request.destroy();
        resolve({ gaveUpAfterMs: since() });
      });
      request.on('error', (error: NodeJS.ErrnoException) => resolve({ error, gaveUpAfterMs: since() }));
    });
  }

  async function journaled(requestId: string) {
    let rows!: Awaited<ReturnType<typeof rowsOf>>;
    await expectEventually(async () => {
      rows = await rowsOf(app.get(DataSource), requestId);
      expect(rows.journal.length).toBe(1);
    });
    return rows;
  }

  it('reset: the connection is reset without an answer (ECONNRESET); journaled with no status, no audit row', async () => {
    const requestId = uniqueRequestId('wire-reset');
    const seen = await call({ 'x-sandbox-fault': 'reset', 'x-request-id': requestId });
    expect(seen.status).toBeUndefined();
    expect(seen.error?.code).toBe('ECONNRESET');
    expect(seen.error?.message).toBe('read ECONNRESET');
    expect(await journaled(requestId)).toEqual({
      journal: [expect.objectContaining({ outcome: 'unavailable', httpStatus: null, problemCode: null, faultKind: 'reset' })],
      audit: [],
    });
  });

  it('timeout: no answer at all until the client gives up; the connection is closed at the cap', async () => {
    const requestId = uniqueRequestId('wire-timeout');
    const gaveUp = await call({ 'x-sandbox-fault': 'timeout; afterMs=5000', 'x-request-id': requestId }, 800);
    expect(gaveUp).toEqual({ gaveUpAfterMs: expect.any(Number) });
    expect(gaveUp.gaveUpAfterMs).toBeGreaterThanOrEqual(790);
    expect(await journaled(requestId)).toEqual({
      journal: [expect.objectContaining({ outcome: 'timeout', httpStatus: null, problemCode: null, faultKind: 'timeout' })],
      audit: [],
    });
    // A client that waits longer than the cap sees the connection closed, still without an answer.
    const closed = await call({ 'x-sandbox-fault': 'timeout; afterMs=400' }, 5_000);
    expect(closed.status).toBeUndefined();
    expect(closed.error).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(closed.gaveUpAfterMs).toBeGreaterThanOrEqual(390);
    expect(closed.gaveUpAfterMs).toBeLessThan(3_000);
  });

  it('malformed: 200 application/json whose body JSON.parse refuses', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/registry/v1/citizens/${husband.idNumber}?fields=fullName`, {
      headers: { ...client.auth, 'x-service-code': 'SANDBOX-ALL', 'x-sandbox-fault': 'malformed' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-sandbox-fault-applied')).toBe('malformed');
    // fetch's SyntaxError comes from another realm than Jest's, so it is told by its name.
    await expect(response.json()).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('unavailable and rate_limited: 503 and 429 with Retry-After on the wire', async () => {
    const unavailable = await call({ 'x-sandbox-fault': 'unavailable' });
    expect({ status: unavailable.status, retryAfter: unavailable.headers?.['retry-after'], applied: unavailable.headers?.['x-sandbox-fault-applied'] }).toEqual({ status: 503, retryAfter: '5', applied: 'unavailable' });
    const limited = await call({ 'x-sandbox-fault': 'rate_limited; retryAfterSeconds=12' });
    expect({ status: limited.status, retryAfter: limited.headers?.['retry-after'] }).toEqual({ status: 429, retryAfter: '12' });
    expect(JSON.parse(limited.body!)).toMatchObject({ code: 'rate_limited', status: 429 });
  });

  it('slow_body: the headers at once, the body dribbled over the duration, whole in the end', async () => {
    const seen = await call({ 'x-sandbox-fault': 'slow_body; durationMs=900' });
    expect(seen.status).toBe(200);
    expect(seen.headers?.['transfer-encoding']).toBe('chunked');
    expect(seen.headersAfterMs).toBeLessThan(500);
    expect(seen.endAfterMs).toBeGreaterThanOrEqual(880);
    expect(JSON.parse(seen.body!)).toEqual({ fullName: husband.fullName, dateOfBirth: husband.dateOfBirth });
  });

  it('latency: answers delayed after their commit, holding no database connection while they wait', async () => {
    const delayed = await createTestConsumer(app, { serviceCodes: ['SANDBOX-ALL'] });
    await putFaults(app, delayed.auth, { latency: { distribution: 'fixed', ms: 1_500 } });
    const pool = app.get<pg.Pool>(PG_POOL);
    const requestIds = Array.from({ length: 24 }, () => uniqueRequestId('wire-latency'));
    // More calls than the pool has connections (10): were a waiting answer holding one, the last would wait for it.
    let answered = 0;
    const calls = requestIds.map((requestId) => call({ ...delayed.auth, 'x-request-id': requestId }).finally(() => (answered += 1)));
    let slowestCommitMs = 0;
    await expectEventually(async () => {
      const { rows } = await pool.query('SELECT count(*)::int AS count, max(latency_ms) AS slowest FROM call_journal WHERE request_id = ANY($1)', [requestIds]);
      expect(rows[0].count).toBe(24);
      slowestCommitMs = rows[0].slowest;
    }, 5_000, 20);
    // Every call committed (its latency in the journal runs to the commit), none answered yet, no connection checked out.
    expect(slowestCommitMs).toBeLessThan(1_000);
    expect(answered).toBe(0);
    expect(pool.totalCount - pool.idleCount).toBe(0);
    const seen = await Promise.all(calls);
    expect(seen.map((s) => s.status)).toEqual(Array(24).fill(200));
    expect(seen.every((s) => s.endAfterMs! >= 1_490)).toBe(true);
    expect(seen[0].headers?.['x-sandbox-fault-applied']).toBe('latency; ms=1500');
    const rows = await rowsOf(app.get(DataSource), requestIds[0]);
    expect(rows.journal).toEqual([expect.objectContaining({ outcome: 'ok', faultKind: 'latency' })]);
  });
});
