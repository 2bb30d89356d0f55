import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createRedisConnection } from '../queue/redis-connection.js';
import { backingServiceOutage, markRaisedBy, POSTGRES, toProblem } from './problem-details.js';

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

  it('an outage wrapped as the cause of another error, and an attempt of an AggregateError', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    markRaisedBy(reset, POSTGRES);
    expect(toProblem(new Error('could not record the event', { cause: reset })).problem.status).toBe(503);
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    markRaisedBy(refused, POSTGRES);
    expect(backingServiceOutage(new AggregateError([refused], 'connect failed'))).toBe(POSTGRES);
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
