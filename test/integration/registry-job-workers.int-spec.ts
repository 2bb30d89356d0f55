import '../utils/test-env.js';
import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Worker } from 'bullmq';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { SyncBatchProcessor } from '../../src/portal/sync-batch.processor.js';
import { VerificationProcessor } from '../../src/portal/verification.processor.js';

type WithWorker = { onApplicationBootstrap(): void; beforeApplicationShutdown(): Promise<void> };
const workerOf = (processor: WithWorker): Worker => (processor as unknown as { worker: Worker }).worker;

/** The workers of the queues whose jobs call the registry take their lock from config: sync batches their own. */
describe('registry job workers', () => {
  const started: WithWorker[] = [];
  afterEach(async () => {
    for (const processor of started.splice(0)) await processor.beforeApplicationShutdown();
  });
  const config = (environment: Record<string, string>): AppConfig =>
    loadConfig({ ...process.env, QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-locks`, ...environment });
  // Only the worker is built at bootstrap: the processors' other collaborators are used by jobs, and none is queued here.
  const start = <T extends WithWorker>(processor: T): Worker => {
    processor.onApplicationBootstrap();
    started.push(processor);
    return workerOf(processor);
  };
  const none = null as never;

  it('locks a sync batch for SYNC_LOCK_MS and a verification job for WORKER_STALLED_MS, both checked every WORKER_STALLED_MS', async () => {
    const settings = config({ SYNC_LOCK_MS: '90000', WORKER_STALLED_MS: '5000' });
    const sync = start(new SyncBatchProcessor(settings, none, none, none, none, none, none, none));
    const verification = start(new VerificationProcessor(settings, none, none, none, none, none, none));
    expect({ lockDuration: sync.opts.lockDuration, stalledInterval: sync.opts.stalledInterval }).toEqual({ lockDuration: 90_000, stalledInterval: 5_000 });
    expect({ lockDuration: verification.opts.lockDuration, stalledInterval: verification.opts.stalledInterval }).toEqual({ lockDuration: 5_000, stalledInterval: 5_000 });
  });

  it('gives sync batches a lock of two minutes by default, and refuses a SYNC_LOCK_MS out of range by name', () => {
    expect(loadConfig({}).sync).toMatchObject({ lockMs: 120_000 });
    expect(() => loadConfig({ SYNC_LOCK_MS: '10' })).toThrow(/SYNC_LOCK_MS/);
  });
});
