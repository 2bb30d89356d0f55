import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { QueryFailedError, type DataSource } from 'typeorm';
import { sendRawHttp } from '../../test/utils/raw-http.js';
import { createDataSource } from '../database/data-source.js';
import { pgPoolOf } from '../database/database-bootstrap.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { answerClientError } from './problem-details.filter.js';
import { backingServiceOutage, clientErrorProblem, markRaisedBy, POSTGRES, toProblem } from './problem-details.js';

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

/**
 * A TCP relay to the test database whose connections can be reset (what the client sees of a crashed server or a
 * network fault: ECONNRESET on read), and which can stop accepting (ECONNREFUSED on the next connect).
 */
async function resettableRelay(): Promise<{ url: string; resetAll: () => void; close: () => Promise<void> }> {
  const target = new URL(DATABASE_URL);
  const accepted = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    accepted.add(client);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      accepted.delete(client);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(DATABASE_URL);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    resetAll: () => accepted.forEach((socket) => socket.resetAndDestroy()),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Waits until the test database runs `text` (so that a fault hits the query in flight, not before it). */
async function untilRunning(admin: pg.Client, text: string): Promise<void> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query = $1`, [text]);
    if (rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${text} did not start within 5 s`);
}

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

  describe('through the gateway\'s own data source (TypeORM and the pg pool behind it)', () => {
    const dataSources: DataSource[] = [];
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    beforeAll(() => admin.connect());
    afterAll(async () => {
      for (const dataSource of dataSources) if (dataSource.isInitialized) await dataSource.destroy();
      await admin.end();
    });
    async function gatewayDataSource(url: string): Promise<DataSource> {
      const dataSource = createDataSource(url, 2);
      dataSources.push(dataSource);
      return dataSource.initialize();
    }

    it('a connection reset under a query in flight, bare from the pool (hot paths) and wrapped in QueryFailedError (TypeORM)', async () => {
      const relay = await resettableRelay();
      try {
        const dataSource = await gatewayDataSource(relay.url);
        const bare = rejectionOf(pgPoolOf(dataSource).query('SELECT pg_sleep(5.1)'));
        const wrapped = rejectionOf(dataSource.query('SELECT pg_sleep(5.2)'));
        await untilRunning(admin, 'SELECT pg_sleep(5.1)');
        await untilRunning(admin, 'SELECT pg_sleep(5.2)');
        relay.resetAll();
        const [fromPool, fromTypeorm] = await Promise.all([bare, wrapped]);
        expect(fromPool).toMatchObject({ code: 'ECONNRESET', syscall: 'read' });
        expect(backingServiceOutage(fromPool)).toBe(POSTGRES);
        expect(fromTypeorm).toBeInstanceOf(QueryFailedError);
        // The wrapper copies the code but has TypeORM's stack: what it wraps tells whose socket it was.
        expect((fromTypeorm as QueryFailedError).driverError).toMatchObject({ code: 'ECONNRESET', syscall: 'read' });
        expect(toProblem(fromTypeorm).problem).toMatchObject({ status: 503, code: 'service_unavailable' });

        // The server is gone now: TypeORM's next connection is refused. TypeORM asks pg-pool for it with a callback,
        // so the error comes bare from the socket, nothing of pg in its stack: only the wiring's mark names it.
        await relay.close();
        const refused = await rejectionOf(dataSource.query('SELECT 1'));
        expect(refused).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
        expect(String((refused as Error).stack)).not.toMatch(/node_modules\/pg/);
        expect(toProblem(refused).problem).toMatchObject({ status: 503, code: 'service_unavailable' });
      } finally {
        await relay.close().catch(() => undefined);
      }
    });

    it('a checked-out connection whose session the server ends does not end the process, and its next query is an outage', async () => {
      const pool = pgPoolOf(await gatewayDataSource(DATABASE_URL));
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const ended = new Promise((resolve) => client.once('end', resolve));
        // pg emits 'error' on the idle client, which pg-pool does not listen to while it is checked out.
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await ended;
        const next = await rejectionOf(client.query('SELECT 1'));
        expect(next).toMatchObject({ message: 'Client has encountered a connection error and is not queryable' });
        expect(toProblem(next).problem.status).toBe(503);
      } finally {
        client.release();
      }
      // The pool dropped the broken client and serves with a new one.
      await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    });
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

describe('requests the HTTP parser refuses', () => {
  it('a request whose headers do not arrive in time gets a 408 request_timeout problem, written on the socket', async () => {
    // A real server with short limits, so that Node's own header timer fires (popgate's server uses Node's defaults).
    const server = createHttpServer({ headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 });
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
