import { afterAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { sendRawHttp } from '../../test/utils/raw-http.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { answerClientError } from './problem-details.filter.js';
import { backingServiceOutage, clientErrorProblem, toProblem } from './problem-details.js';

/** The error a promise rejects with (these tests provoke real failures of real clients, not hand-made objects). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const DATABASE_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('backing-service outages become 503 service_unavailable', () => {
  const clients: pg.Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
  });

  it('a database that refuses connections (through a pool, as the gateway reads)', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'postgres' });
    const error = await rejectionOf(pool.query('SELECT 1'));
    await pool.end();
    expect(backingServiceOutage(error)).toBe('registry database (PostgreSQL)');
    expect(toProblem(error).problem).toMatchObject({ status: 503, code: 'service_unavailable' });
  });

  it('a database session ended by the server (as on a restart)', async () => {
    const victim = new pg.Client({ connectionString: DATABASE_URL });
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    clients.push(victim, admin);
    victim.on('error', () => undefined);
    await Promise.all([victim.connect(), admin.connect()]);
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pending = rejectionOf(victim.query('SELECT pg_sleep(5)'));
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    const error = await pending;
    expect(backingServiceOutage(error)).toBe('registry database (PostgreSQL)');
    expect(toProblem(error).problem.status).toBe(503);
  });

  it('a Redis that cannot be reached, through the gateway\'s own client (no offline queue: it fails at once)', async () => {
    const redis = createRedisConnection('redis://127.0.0.1:1');
    const error = await rejectionOf(redis.get('anything'));
    redis.disconnect();
    expect(backingServiceOutage(error)).toBe('queue store (Redis)');
    expect(toProblem(error).problem).toMatchObject({ status: 503, code: 'service_unavailable' });
  });

  it('but not a query error or any other failure, which stay 500 internal_error', async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    clients.push(client);
    await client.connect();
    const syntax = await rejectionOf(client.query('SELEC 1'));
    expect(backingServiceOutage(syntax)).toBeNull();
    expect(toProblem(syntax).problem).toMatchObject({ status: 500, code: 'internal_error' });
    expect(toProblem(new TypeError('x is undefined')).problem.status).toBe(500);
  });

  it('but not a client that hangs up on its own upload (ECONNRESET with a 4xx status), nor a socket error of no client of ours', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(toProblem(aborted).problem.status).toBe(400);
    const elsewhere = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(backingServiceOutage(elsewhere)).toBeNull();
  });
});

describe('requests the HTTP parser refuses', () => {
  it('a request whose headers do not arrive in time gets a 408 request_timeout problem, written on the socket', async () => {
    // A real server with short limits, so that Node's own header timer fires (popgate's server uses Node's defaults).
    const server = createServer({ headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 });
    server.on('clientError', answerClientError.bind({ log: pino({ level: 'silent' }) }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const answer = await sendRawHttp((server.address() as AddressInfo).port, 'GET /health HTTP/1.1\r\nHost: localhost\r\n');
      expect([answer.status, answer.headers['content-type']]).toEqual([408, 'application/problem+json; charset=utf-8']);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 408, code: 'request_timeout', requestId: answer.headers['x-request-id'] });
    } finally {
      server.close();
    }
  });

  it('maps the parser\'s codes: headers over the limit are 431 headers_too_large, anything else 400 malformed_request', () => {
    expect(clientErrorProblem('HPE_HEADER_OVERFLOW')).toMatchObject({ status: 431, code: 'headers_too_large' });
    expect(clientErrorProblem('HPE_INVALID_HEADER_TOKEN')).toMatchObject({ status: 400, code: 'malformed_request' });
    expect(clientErrorProblem(undefined)).toMatchObject({ status: 400, code: 'malformed_request' });
  });
});
