import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../config/app-config.js';
import type { InProcessCaller, RegistryCallOutcome, RegistryCalls } from '../registry/registry-calls.service.js';
import type { PortalRecordRow } from './sync-discrepancies.js';
import { SyncBatchProcessor } from './sync-batch.processor.js';
import type { SyncResult } from './sync-run.repository.js';

const record = (n: number): PortalRecordRow => ({
  recordId: String(n),
  idNumber: String(n).padStart(12, '0'),
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-01-01',
  sex: 'male',
  permanentAddress: {},
  currentAddress: {},
  maritalStatus: 'single',
  status: 'alive',
  statusDate: null,
  duplicate: false,
  updatedAt: '2026-12-01 00:00:00+00',
});

describe('SyncBatchProcessor.check', () => {
  it('waits for the look-ups in flight to settle, and starts no other, before a failed batch throws', async () => {
    const started: string[] = [];
    const settled: string[] = [];
    const registry = {
      lookup: async (_caller: InProcessCaller, idNumber: string): Promise<RegistryCallOutcome<Record<string, unknown>>> => {
        started.push(idNumber);
        // The first look-up is refused soon; the two others in flight answer later.
        const refused = started.length === 1;
        await new Promise((resolve) => setTimeout(resolve, refused ? 5 : 60));
        settled.push(idNumber);
        return refused
          ? { kind: 'permanent', code: 'fields_not_allowed', status: 403, message: 'refused', callId: null }
          : { kind: 'permanent', code: 'citizen_not_found', status: 404, message: 'not found', callId: null };
      },
    } as unknown as RegistryCalls;
    const config = { sync: { lookupConcurrency: 3 } } as AppConfig;
    const none = null as never;
    const processor = new SyncBatchProcessor(config, none, none, registry, none, none, none, none);
    const caller: InProcessCaller = { consumerId: 'portal', serviceCode: 'S', requestId: 'job', jobId: 'job', attempt: 1 };

    const check = (processor as unknown as { check: (...args: unknown[]) => Promise<SyncResult[]> }).check.bind(processor);
    const outcome = check(caller, [1, 2, 3, 4, 5, 6].map(record), new Set(['fullName', 'dateOfBirth']), new Set(['lookup']), false).then(
      () => 'resolved',
      (error: Error) => ({ error: error.message, settledWhenThrown: [...settled] }),
    );
    expect(await outcome).toEqual({ error: expect.stringContaining('fields_not_allowed'), settledWhenThrown: expect.arrayContaining(started) });
    expect(started).toHaveLength(3);
    expect(settled).toHaveLength(3);
  });
});

describe('SyncBatchProcessor.check, an unreliable registry', () => {
  it('retries the verify-batch call in place on a transient failure, as a look-up is, instead of failing the batch', async () => {
    const calls: string[] = [];
    const registry = {
      verifyBatch: async (_caller: InProcessCaller, items: Array<{ idNumber: string }>): Promise<RegistryCallOutcome<unknown[]>> => {
        calls.push('verify_batch');
        if (calls.length <= 2) return { kind: 'transient', code: 'registry_unavailable', status: 503, message: 'unavailable', retryAfterMs: 1_000, callId: null };
        return {
          kind: 'ok',
          callId: 'call',
          value: items.map((_, index) => ({ index, verdict: 'match', citizenStatus: 'alive', checks: { idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact', sex: 'exact' } })),
        };
      },
    } as unknown as RegistryCalls;
    // A 503's Retry-After is waited in place up to VERIFICATION_MAX_WAIT_MS (10 ms here).
    const config = { sync: { lookupConcurrency: 2 }, portal: { verificationMaxWaitMs: 10 } } as AppConfig;
    const none = null as never;
    const processor = new SyncBatchProcessor(config, none, none, registry, none, none, none, none);
    const caller: InProcessCaller = { consumerId: 'portal', serviceCode: 'S', requestId: 'job', jobId: 'job', attempt: 1 };
    const check = (processor as unknown as { check: (...args: unknown[]) => Promise<SyncResult[]> }).check.bind(processor);

    const results = await check(caller, [1, 2, 3].map(record), new Set(['fullName', 'dateOfBirth', 'sex']), new Set(['verify_batch_item']), false);
    expect(calls).toEqual(['verify_batch', 'verify_batch', 'verify_batch']);
    expect(results.map((result) => ({ matched: result.matched, error: result.error }))).toEqual([1, 2, 3].map(() => ({ matched: true, error: null })));
  });
});
