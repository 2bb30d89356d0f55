import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { PG_POOL } from '../../src/database/database.module.js';
import { persona } from '../factories/registry.factory.js';
import { freePort } from '../utils/free-port.js';
import { createTestApp, expectEventually, REGISTRY_HEADERS, seedTestDataset } from '../utils/test-app.js';

/**
 * A PostgreSQL cluster of this test's own (initdb and pg_ctl on a private data directory and port), so that it can
 * be stopped under load without touching the shared server. PostgreSQL refuses to run as root: as root (CI), every
 * command runs as the `postgres` user on a directory it owns.
 */
class PrivateCluster {
  readonly directory = mkdtempSync(join(tmpdir(), 'popgate-pg-outage-'));
  private readonly data = join(this.directory, 'data');

  private constructor(
    private readonly bin: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateCluster> {
    const cluster = new PrivateCluster(postgresBinDirectory(), await freePort());
    try {
      if (process.getuid?.() === 0) {
        const { uid, gid } = postgresUser();
        chownSync(cluster.directory, uid, gid);
      }
      // No fsync: the data is thrown away, and initdb's syncs cost seconds on a shared disk.
      cluster.run('initdb', ['-D', cluster.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      cluster.start();
      return cluster;
    } catch (error) {
      cluster.destroy();
      throw error;
    }
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/popgate_outage`;
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
    this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.directory, 'server.log'), '-w', '-t', '30', 'start']);
  }

  /** Fast shutdown: sessions are ended at once (their queries fail with 57P01), as on a restart by an operator. */
  stopFast(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  /** Stops the server if it runs (immediate: nothing is worth keeping) and removes the directory. */
  destroy(): void {
    try {
      if (existsSync(join(this.data, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(this.directory, { recursive: true, force: true });
    }
  }

  private run(tool: string, args: string[]): void {
    const path = join(this.bin, tool);
    const asRoot = process.getuid?.() === 0;
    execFileSync(asRoot ? 'runuser' : path, asRoot ? ['-u', 'postgres', '--', path, ...args] : args, { stdio: 'pipe', timeout: 60_000 });
  }
}

/** The directory of initdb and pg_ctl: PG_BINDIR, `pg_config --bindir`, or the newest /usr/lib/postgresql/N/bin. */
function postgresBinDirectory(): string {
  const candidates = [process.env.PG_BINDIR];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config on the PATH: try the Debian layout
  }
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => `/usr/lib/postgresql/${version}/bin`));
  }
  const found = candidates.find((directory) => directory && existsSync(join(directory, 'initdb')) && existsSync(join(directory, 'pg_ctl')));
  if (!found) {
    throw new Error(
      `this test needs PostgreSQL's initdb and pg_ctl to run a cluster of its own; none found in ${candidates.filter(Boolean).join(', ') || '(no candidate)'}. ` +
        'Install the server binaries (Debian: apt-get install postgresql) or set PG_BINDIR.',
    );
  }
  return found;
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
    return { uid, gid };
  } catch {
    throw new Error('running as root, this test runs PostgreSQL as the `postgres` user, and there is none');
  }
}

/** One answer of the load, as a client sees it. */
interface Answer {
  at: number;
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
}

/**
 * Look-ups at a fixed rate until stopped (each on its own schedule, not one after another, so a slow answer does not
 * slow the load down), over real sockets, as a client under load would call.
 */
class LookupLoad {
  readonly answers: Answer[] = [];
  readonly failures: string[] = [];
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly port: number,
    private readonly idNumbers: string[],
    private readonly perSecond: number,
  ) {}

  start(): void {
    const started = Date.now();
    let sent = 0;
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * this.perSecond);
      while (sent < due) {
        const call = this.lookup(this.idNumbers[sent++ % this.idNumbers.length]).finally(() => this.inFlight.delete(call));
        this.inFlight.add(call);
      }
    }, 10);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
    this.agent.destroy();
  }

  answersSince(at: number): Answer[] {
    return this.answers.filter((answer) => answer.at >= at);
  }

  private lookup(idNumber: string): Promise<void> {
    return new Promise((resolve) => {
      const request = http.get(
        { host: '127.0.0.1', port: this.port, agent: this.agent, path: `/registry/v1/citizens/${idNumber}?fields=fullName,dateOfBirth`, headers: REGISTRY_HEADERS, timeout: 20_000 },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => {
            let code: string | undefined;
            try {
              code = (JSON.parse(body) as { code?: string }).code;
            } catch {
              code = '(not JSON)';
            }
            const retryAfter = response.headers['retry-after'];
            this.answers.push({ at: Date.now(), status: response.statusCode ?? 0, code, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
            resolve();
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('no answer within 20 s')));
      request.on('error', (error) => {
        this.failures.push(error.message);
        resolve();
      });
    });
  }
}

/** Status and code of answers, counted: `{ "200": 1200, "503 service_unavailable": 400 }`. */
function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, code } of answers) {
    const key = status === 200 ? '200' : `${status} ${code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * The issue: with look-ups under load, a PostgreSQL that stops (fast shutdown) and starts again must give 503
 * service_unavailable with Retry-After to every call it cannot serve, never a 500, and the gateway must serve again
 * by itself once the database is back.
 */
describe('PostgreSQL stopped and started again under load', () => {
  let cluster: PrivateCluster | undefined;
  let app: NestFastifyApplication | undefined;
  const previousDatabaseUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    cluster = await PrivateCluster.create();
    // For this app only: the config module reads the environment when the app is built.
    process.env.DATABASE_URL = cluster.url;
    try {
      app = await createTestApp();
    } finally {
      process.env.DATABASE_URL = previousDatabaseUrl;
    }
    await seedTestDataset(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      cluster?.destroy();
    }
  }, 60_000);

  it('answers every call it cannot serve with 503 service_unavailable and Retry-After, none with 500, and serves again after the restart', async () => {
    const pool = app!.get<pg.Pool>(PG_POOL);
    const { rows } = await pool.query<{ id_number: string }>('SELECT id_number FROM citizens ORDER BY id_number LIMIT 400');
    const idNumbers = [persona('married-husband').idNumber, ...rows.map((row) => row.id_number)];
    const load = new LookupLoad((app!.getHttpServer().address() as AddressInfo).port, idNumbers, 150);
    load.start();
    try {
      await expectEventually(() => expect(load.answers.filter((a) => a.status === 200).length).toBeGreaterThan(150), 10_000);

      cluster!.stopFast();
      const stoppedAt = Date.now();
      // The scenario, not an assertion: down long enough for the cached consumer keys (2 s) and the service catalog
      // (5 s) to expire during the outage, so that their reloads fail too.
      await delay(6_000);
      cluster!.start();
      const restartedAt = Date.now();

      // Back by itself: a full second of look-ups all served, within 15 s of the restart.
      await expectEventually(() => {
        const recent = load.answersSince(Date.now() - 1_000);
        expect(recent.length).toBeGreaterThan(100);
        expect(recent.filter((answer) => answer.status !== 200)).toEqual([]);
      }, 15_000, 100);
      const recoveredIn = Date.now() - restartedAt;

      await load.stop();
      const counts = tally(load.answers);
      process.stdout.write(`postgres outage: ${JSON.stringify(counts)}, served again ${recoveredIn} ms after the restart\n`);
      expect(load.failures).toEqual([]);
      expect(Object.keys(counts).filter((key) => key !== '200' && key !== '503 service_unavailable')).toEqual([]);
      expect(load.answers.filter((answer) => answer.status === 503 && answer.retryAfter === undefined)).toEqual([]);
      // The outage was seen by the load (else this test proves nothing).
      expect(load.answersSince(stoppedAt).filter((answer) => answer.at < restartedAt && answer.status === 503).length).toBeGreaterThan(300);
    } finally {
      await load.stop();
    }

    // No connection left stuck or waiting: the pool is usable at full width.
    await Promise.all(Array.from({ length: 20 }, () => pool.query('SELECT 1')));
    expect(pool.waitingCount).toBe(0);
  }, 45_000);
});
