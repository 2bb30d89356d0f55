import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { adultApplicant, persona, verifyBody } from '../factories/registry.factory.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, PORTAL_AUTH, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';

const METRICS_TOKEN = 'e2e-metrics-token-0000000000000000';
const TOKEN_AUTH = { authorization: `Bearer ${METRICS_TOKEN}` };

/** promtool (Debian's `prometheus` package; .ci/run installs it), or null when this machine lacks it. */
const PROMTOOL = ['/usr/bin/promtool', 'promtool'].find((candidate) => spawnSync(candidate, ['--version']).status === 0) ?? null;

/**
 * What Prometheus reads: GET /ops/metrics opened by the scrape-only METRICS_TOKEN (and by nothing else that token
 * opens), in an exposition that `promtool check metrics` accepts once every family has samples.
 */
describe('GET /ops/metrics as Prometheus scrapes it', () => {
  let app: NestFastifyApplication;
  let faulty: TestConsumer;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestAppWithEnvironment({ METRICS_TOKEN });
    await seedTestDataset(app);
    faulty = await createTestConsumer(app, { serviceCodes: ['SANDBOX-ALL'] });
  });

  afterAll(async () => {
    await app?.close();
  });

  describe('METRICS_TOKEN', () => {
    it('opens GET /ops/metrics, as the admin key does', async () => {
      const scraped = await http().get('/ops/metrics').set(TOKEN_AUTH).expect(200);
      expect(scraped.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(scraped.text).toMatch(/^# TYPE popgate_registry_calls_total counter$/m);
      await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    });

    it('opens nothing else: every other endpoint answers it as an unknown key (401 problem+json)', async () => {
      const elsewhere = [
        http().get('/ops/queues'),
        http().get('/ops/dead-letters'),
        http().get('/access/v1/consumers'),
        http().get('/journal/v1/calls'),
        http().post('/sandbox/reset').send({}),
        http().get('/portal/v1/dossiers/00000000-0000-0000-0000-000000000000'),
        http().get(`/registry/v1/citizens/${persona('married-husband').idNumber}?fields=fullName`).set('x-service-code', 'SANDBOX-ALL'),
      ];
      for (const call of elsewhere) expectProblem(await call.set(TOKEN_AUTH), 401, 'unknown_credentials');
      const board = await http().get('/ops/board').set(TOKEN_AUTH);
      expect(board.status).toBe(401);
    });

    it('keeps consumer keys out (403) and unknown or missing keys (401)', async () => {
      expectProblem(await http().get('/ops/metrics').set(faulty.auth), 403, 'admin_required');
      expectProblem(await http().get('/ops/metrics').set(PORTAL_AUTH), 403, 'admin_required');
      expectProblem(await http().get('/ops/metrics').set({ authorization: `Bearer ${METRICS_TOKEN}x` }), 401, 'unknown_credentials');
      expectProblem(await http().get('/ops/metrics'), 401, 'missing_credentials');
    });

    it('is validated at boot like ADMIN_API_KEY, and never echoed', () => {
      const problemsOf = (environment: NodeJS.ProcessEnv): string[] => {
        try {
          loadConfig(environment);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          return (error as ConfigError).problems;
        }
        return [];
      };
      expect(loadConfig({ METRICS_TOKEN }).metrics.token).toBe(METRICS_TOKEN);
      expect(loadConfig({}).metrics.token).toBeUndefined();
      const short = 'too-short-token';
      expect(problemsOf({ METRICS_TOKEN: short })).toEqual(['METRICS_TOKEN: must be 24-128 characters of A-Z a-z 0-9 _ . ~ -']);
      expect(problemsOf({ METRICS_TOKEN: `${METRICS_TOKEN} x` })).toEqual(['METRICS_TOKEN: must be 24-128 characters of A-Z a-z 0-9 _ . ~ -']);
      const same = problemsOf({ METRICS_TOKEN, ADMIN_API_KEY: METRICS_TOKEN });
      expect(same).toEqual(['METRICS_TOKEN: must differ from ADMIN_API_KEY (it is a scrape-only token)']);
      expect([...same, ...problemsOf({ METRICS_TOKEN: short })].join('\n')).not.toMatch(/e2e-metrics-token|too-short-token/);
      expect(problemsOf({ METRICS_PORT: 'nine' })).toEqual(['METRICS_PORT: must be a port number']);
      expect(loadConfig({ METRICS_PORT: '9464' }).metrics.workerPort).toBe(9464);
    });
  });

  describe('promtool check metrics', () => {
    /** Traffic that gives every metric family a sample: calls served, refused and faulted, a dossier decided. */
    beforeAll(async () => {
      const { idNumber } = persona('married-husband');
      const asDeveloper = { ...faulty.auth, 'x-service-code': 'SANDBOX-ALL' };
      await http().get(`/registry/v1/citizens/${idNumber}?fields=fullName`).set(asDeveloper).expect(200);
      await http().post('/registry/v1/citizens/verify').set(asDeveloper).send(verifyBody()).expect(200);
      await http().get(`/registry/v1/citizens/${idNumber}?fields=religion`).set({ ...faulty.auth, 'x-service-code': '1.001456' }).expect(403);
      await http().get(`/registry/v1/citizens/${idNumber}?fields=fullName`).set({ ...asDeveloper, 'x-sandbox-fault': 'server_error' }).expect(500);
      const applicant = await adultApplicant(app.get(DataSource));
      const filed = await http().post('/portal/v1/dossiers').set(PORTAL_AUTH).send({ serviceCode: '1.004222', applicant }).expect(202);
      await expectEventually(async () => {
        const detail = await http().get(`/portal/v1/dossiers/${filed.body.dossierId}`).set(PORTAL_AUTH).expect(200);
        expect(detail.body.decidedAt).not.toBeNull();
      }, 15_000);
    });

    it('has a sample in every metric family it declares', async () => {
      const exposition = (await http().get('/ops/metrics').set(TOKEN_AUTH).expect(200)).text;
      const families = [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name]) => name);
      expect(families.length).toBeGreaterThan(20);
      const unsampled = families.filter((name) => !new RegExp(`^${name}(_bucket|_sum|_count)?(\\{| )`, 'm').test(exposition));
      // Node's requests in flight by type (a file read, a DNS query) may well be none while the scrape runs.
      expect(unsampled.filter((name) => name !== 'popgate_nodejs_active_requests')).toEqual([]);
    });

    (PROMTOOL ? it : it.skip)('passes promtool check metrics (skipped only where promtool is absent: .ci/run installs it)', async () => {
      const exposition = (await http().get('/ops/metrics').set(TOKEN_AUTH).expect(200)).text;
      const checked = spawnSync(PROMTOOL!, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
      expect({ status: checked.status, output: `${checked.stdout}${checked.stderr}` }).toEqual({ status: 0, output: '' });
    });
  });
});

if (!PROMTOOL) process.stderr.write('ops-metrics-scrape: promtool is not installed (apt-get install prometheus); the promtool check is skipped\n');
