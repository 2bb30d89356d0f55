import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { adultApplicant } from '../factories/registry.factory.js';
import { freePort } from '../utils/free-port.js';
import { ADMIN_AUTH, PORTAL_AUTH, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';
import { WorkerProcess, buildForProcesses } from '../utils/worker-process.js';

const METRICS_TOKEN = 'int-worker-metrics-token-000000000000';
const TOKEN_AUTH = { authorization: `Bearer ${METRICS_TOKEN}` };
const PROMTOOL = ['/usr/bin/promtool', 'promtool'].find((candidate) => spawnSync(candidate, ['--version']).status === 0) ?? null;

/** The value of one sample of an exposition (0 when the series is absent). */
function sample(exposition: string, series: string): number {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * A worker process (worker.ts) has no API listener; with METRICS_PORT it serves GET /ops/metrics of its own
 * registry, behind the same keys as the API's, so that Prometheus scrapes each worker replica. Its counters are its
 * own: a dossier the worker decided shows in the worker's scrape, not in the API's.
 */
describe("a worker's metrics listener (METRICS_PORT)", () => {
  let app: NestFastifyApplication;
  let worker: WorkerProcess;
  let consumer: TestConsumer;
  let port: number;
  /**
   * A request to the worker's listener, by fetch rather than supertest: supertest's answers are checked against the
   * API's OpenAPI document, which describes the API's listener, not this one.
   */
  const toWorker = async (path: string, headers: Record<string, string> = {}) => {
    const answer = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    const text = await answer.text();
    const type = answer.headers.get('content-type') ?? '';
    return { status: answer.status, type, text, code: type.startsWith('application/problem+json') ? (JSON.parse(text) as { code: string }).code : undefined };
  };

  beforeAll(async () => {
    buildForProcesses();
    // The API runs no processors here: only the worker can decide the dossier below.
    app = await createTestAppWithEnvironment({ WORKERS_IN_API: 'false', METRICS_TOKEN });
    await seedTestDataset(app);
    consumer = await createTestConsumer(app);
    port = await freePort();
    worker = await WorkerProcess.start({ METRICS_PORT: String(port), METRICS_TOKEN, HOST: '127.0.0.1' });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
  });

  it('says where it listens, and answers the token and the admin key', async () => {
    expect(worker.log).toContain(`popgate worker metrics on port ${port} (GET /ops/metrics)`);
    const scraped = await toWorker('/ops/metrics', TOKEN_AUTH);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(scraped.text).toMatch(/^popgate_queue_up 1$/m);
    expect((await toWorker('/ops/metrics', ADMIN_AUTH)).status).toBe(200);
  });

  it('refuses a consumer key (403), an unknown or missing key (401), and serves nothing else (404), as problem+json', async () => {
    const expectProblemOf = async (path: string, headers: Record<string, string>, status: number, code: string) => {
      const answer = await toWorker(path, headers);
      expect({ status: answer.status, code: answer.code, type: answer.type }).toEqual({ status, code, type: expect.stringMatching(/^application\/problem\+json/) });
    };
    await expectProblemOf('/ops/metrics', consumer.auth, 403, 'admin_required');
    await expectProblemOf('/ops/metrics', PORTAL_AUTH, 403, 'admin_required');
    await expectProblemOf('/ops/metrics', { authorization: 'Bearer not-a-key-of-anyone-000000000' }, 401, 'unknown_credentials');
    await expectProblemOf('/ops/metrics', {}, 401, 'missing_credentials');
    await expectProblemOf('/ops/queues', ADMIN_AUTH, 404, 'route_not_found');
    await expectProblemOf('/health', ADMIN_AUTH, 404, 'route_not_found');
  });

  it("shows the worker's own counters: a dossier it decided is in its scrape, not in the API's", async () => {
    const decided = 'popgate_verification_attempts_total{outcome="decided"}';
    const before = sample((await toWorker('/ops/metrics', TOKEN_AUTH)).text, decided);
    const applicant = await adultApplicant(app.get(DataSource));
    const filed = await request(app.getHttpServer()).post('/portal/v1/dossiers').set(PORTAL_AUTH).send({ serviceCode: '1.004222', applicant }).expect(202);
    await expectEventually(async () => {
      const detail = await request(app.getHttpServer()).get(`/portal/v1/dossiers/${filed.body.dossierId}`).set(PORTAL_AUTH).expect(200);
      expect(detail.body.decidedAt).not.toBeNull();
    }, 20_000);
    const afterWorker = (await toWorker('/ops/metrics', TOKEN_AUTH)).text;
    expect(sample(afterWorker, decided) - before).toBe(1);
    const api = (await request(app.getHttpServer()).get('/ops/metrics').set(TOKEN_AUTH).expect(200)).text;
    expect(sample(api, decided)).toBe(0);
    if (PROMTOOL) {
      const checked = spawnSync(PROMTOOL, ['check', 'metrics'], { input: afterWorker, encoding: 'utf8' });
      expect({ status: checked.status, output: `${checked.stdout}${checked.stderr}` }).toEqual({ status: 0, output: '' });
    }
  });

  it('never logs the token, even sent where it does not belong', async () => {
    expect((await toWorker(`/ops/metrics/${METRICS_TOKEN}?since=${METRICS_TOKEN}`, TOKEN_AUTH)).status).toBe(404);
    await expectEventually(async () => expect(worker.log).toContain('/ops/metrics/[REDACTED]?since=[REDACTED]'));
    expect(worker.log).not.toContain(METRICS_TOKEN);
  });
});

/**
 * The API process (main.ts) redacts the token from its log as the worker does: an API replica is started as
 * compose starts it (the compiled main.js), and asked for a URL holding the token.
 */
describe('an API process and METRICS_TOKEN', () => {
  let child: ReturnType<typeof spawn> | undefined;
  let output = '';

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('scrapes with the token, and never logs it', async () => {
    buildForProcesses();
    const port = await freePort();
    const main = join(fileURLToPath(new URL('../..', import.meta.url)), '.test-build/src/main.js');
    child = spawn(process.execPath, [main], {
      env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', WORKERS_IN_API: 'false', SANDBOX_SEED_ON_START: 'false', METRICS_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expectEventually(async () => expect(output).toContain(`popgate listening on http://localhost:${port}`), 30_000, 100);
    const scraped = await fetch(`http://127.0.0.1:${port}/ops/metrics`, { headers: TOKEN_AUTH });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^# TYPE popgate_registry_calls_total counter$/m);
    const elsewhere = await fetch(`http://127.0.0.1:${port}/ops/queues/${METRICS_TOKEN}/jobs?since=${METRICS_TOKEN}`, { headers: TOKEN_AUTH });
    expect(elsewhere.status).toBe(401);
    await expectEventually(async () => expect(output).toContain('/ops/queues/[REDACTED]/jobs?since=[REDACTED]'));
    expect(output).not.toContain(METRICS_TOKEN);
  });
});
