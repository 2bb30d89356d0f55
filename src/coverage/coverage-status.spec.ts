import { describe, expect, it } from '@jest/globals';
import { statusOf } from './coverage.service.js';

const thresholds = { minCalls: 10, minSuccessRate: 0.95, maxP95LatencyMs: 500 };
const healthy = { connectorState: 'enabled', stage: 'live' as const, calls: 100, successRate: 0.99, p95: 40 };

describe('statusOf: the first rule that applies', () => {
  it('is integrated within every threshold', () => {
    expect(statusOf(healthy, thresholds)).toEqual({ status: 'integrated', reason: 'success rate 0.99 and p95 latency 40 ms within the thresholds' });
  });

  it('is not integrated with a disabled connector or a planned stage, whatever the traffic', () => {
    expect(statusOf({ ...healthy, connectorState: 'disabled' }, thresholds).status).toBe('not_integrated');
    expect(statusOf({ ...healthy, stage: 'planned' }, thresholds)).toEqual({ status: 'not_integrated', reason: 'the integration stage is planned' });
  });

  it('has no traffic under minCalls, before any quality rule', () => {
    expect(statusOf({ ...healthy, calls: 9, successRate: 0 }, thresholds)).toEqual({ status: 'no_traffic', reason: '9 calls answered or failed by the service in the period, fewer than minCalls 10' });
    expect(statusOf({ ...healthy, calls: 10 }, thresholds).status).toBe('integrated');
  });

  it('is degraded in maintenance, under minSuccessRate or over maxP95LatencyMs, and says which', () => {
    expect(statusOf({ ...healthy, connectorState: 'maintenance' }, thresholds).reason).toBe('the connector is in maintenance');
    expect(statusOf({ ...healthy, successRate: 0.94 }, thresholds)).toEqual({ status: 'degraded', reason: 'success rate 0.94 below minSuccessRate 0.95' });
    expect(statusOf({ ...healthy, successRate: 0.95 }, thresholds).status).toBe('integrated');
    expect(statusOf({ ...healthy, p95: 501 }, thresholds)).toEqual({ status: 'degraded', reason: 'p95 latency 501 ms above maxP95LatencyMs 500' });
  });
});
