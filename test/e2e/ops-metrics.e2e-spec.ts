import { beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { QueueName } from '../../src/queue/queue-names.js';
import { bullConnection } from '../../src/queue/queue.module.js';
import { persona } from '../factories/registry.factory.js';
import { ADMIN_AUTH, api, DEVELOPER_AUTH, useTestApp } from '../utils/test-app.js';
import { expectProblem } from '../utils/problem.js';

/** The value of one sample of a Prometheus text exposition (0 when the series is absent). */
function sample(exposition: string, series: string): number {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The operators' metrics: admin only, counted where the audit is written, and free of personal data. */
describe('GET /ops/metrics', () => {
  const testApp = useTestApp();
  const scrape = async () => (await request(testApp.app.getHttpServer()).get('/ops/metrics').set(ADMIN_AUTH).expect(200)).text;

  beforeAll(async () => {

  });

  it('refuses a call without a key (401) and with a consumer key (403)', async () => {
    expectProblem(await request(testApp.app.getHttpServer()).get('/ops/metrics'), 401, 'missing_credentials');
    expectProblem(await request(testApp.app.getHttpServer()).get('/ops/metrics').set(DEVELOPER_AUTH), 403, 'admin_required');
  });

  it('counts each audited access and refusal, the shared audit commits, and HTTP latency by route template', async () => {
    const accesses = 'popgate_registry_accesses_total{operation="lookup",outcome="ok",service="SANDBOX-ALL"}';
    const refusals = 'popgate_registry_refusals_total{reason="consent_required"}';
    const before = await scrape();
    const { idNumber } = persona('married-husband');
    await api(testApp.app).get(`/registry/v1/citizens/${idNumber}?fields=fullName`).expect(200);
    await api(testApp.app).get(`/registry/v1/citizens/${idNumber}?fields=fullName`).expect(200);
    const after = await scrape();
    expect(after).toMatch(/^# TYPE popgate_registry_accesses_total counter$/m);
    expect(sample(after, accesses) - sample(before, accesses)).toBe(2);
    expect(sample(after, 'popgate_audit_commit_rows_count') - sample(before, 'popgate_audit_commit_rows_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after, refusals)).toBe(sample(before, refusals));
    const lookups = 'popgate_http_request_duration_seconds_count{method="GET",route="/registry/v1/citizens/:idNumber",status="200"}';
    expect(sample(after, lookups) - sample(before, lookups)).toBe(2);
    // Route templates only: no ID number (nor any 12-digit run) reaches a label.
    expect(after).toContain(`route="/registry/v1/citizens/:idNumber"`);
    expect((after.match(/\{[^}]*\}/g) ?? []).filter((labels) => /\d{12}/.test(labels))).toEqual([]);
    expect(after).toMatch(/^popgate_process_cpu_seconds_total /m);
  });

  it('counts refusals by the problem code they got', async () => {
    const series = 'popgate_registry_refusals_total{reason="fields_not_allowed"}';
    const before = sample(await scrape(), series);
    const passport = { ...DEVELOPER_AUTH, 'x-service-code': '1.001456' };
    await request(testApp.app.getHttpServer()).get(`/registry/v1/citizens/${persona('married-husband').idNumber}?fields=religion`).set(passport).expect(403);
    expect(sample(await scrape(), series) - before).toBe(1);
  });

  it('shows the queues read from Redis: jobs by queue and state, oldest waiting age, jobs finished', async () => {
    const verification = new Queue(QueueName.Verification, { connection: bullConnection(process.env.REDIS_URL!), prefix: process.env.QUEUE_PREFIX });
    try {
      const delayed = 'popgate_queue_jobs{queue="verification",state="delayed"}';
      const before = await scrape();
      expect(before).toMatch(/^# HELP popgate_queue_jobs .*every process reports the same figures/m);
      expect(before).toMatch(/^popgate_queue_up 1$/m);
      for (const queue of Object.values(QueueName)) {
        expect(before).toContain(`popgate_queue_jobs{queue="${queue}",state="waiting"} `);
        expect(before).toContain(`popgate_queue_oldest_waiting_age_seconds{queue="${queue}"} `);
        expect(before).toContain(`popgate_queue_jobs_finished_total{queue="${queue}",outcome="failed"} `);
      }
      const job = await verification.add('verify-dossier', { dossierId: randomUUID() }, { delay: 60_000 });
      expect(sample(await scrape(), delayed) - sample(before, delayed)).toBe(1);
      await job.remove();
    } finally {
      await verification.close();
    }
  });
});

