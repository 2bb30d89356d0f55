import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { pgPoolOf } from '../../src/database/database-bootstrap.js';
import { JournalRepository } from '../../src/journal/journal.repository.js';
import { useTestApp } from '../utils/test-app.js';

/** Journal rows: one in a thousand is the consumer's, the others are other consumers', so that a scan would read them all. */
const CALLS = 30_000;
const OWN_CALLS = CALLS / 1000;
const PERIOD_MS = 6 * 86_400_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/**
 * The readiness endpoint reads a consumer's calls by keyset on the journal's consumer index: each page is an index
 * scan of that consumer's range in each day partition of the period, never a scan of the journal. The real SQL of
 * JournalRepository.consumerCallsBackwards is explained: the repository runs on a pool that explains each query.
 */
describe("the readiness read of a consumer's calls", () => {
  const testApp = useTestApp({ seed: false });
  const consumerId = randomUUID();

  beforeAll(async () => {
    // Spread over the last six days: the day partitions of the period are made as the journal makes them (the daily job makes
    // days ahead only, and this database may be younger than a week).
    await testApp.db.query(`SELECT call_journal_ensure_partition(d::date) FROM generate_series((now() AT TIME ZONE '+07')::date - 6, (now() AT TIME ZONE '+07')::date, interval '1 day') AS d`);
    await testApp.db.query(
      `INSERT INTO call_journal (call_id, received_at, request_id, transport, consumer_id, service_code, operation, outcome, http_status, latency_ms, fingerprint)
       SELECT gen_random_uuid(), now() - (n % 6) * interval '1 day' - (n % 86400) * interval '1 second', 'plan-' || n, 'http',
              CASE WHEN n % 1000 = 0 THEN $1::uuid ELSE gen_random_uuid() END, 'SANDBOX-ALL', 'lookup', 'ok', 200, 1, repeat('a', 64)
       FROM generate_series(1, $2::int) AS n`,
      [consumerId, CALLS],
    );
    await testApp.db.query('ANALYZE call_journal');
  });

  async function planOf(page: Parameters<JournalRepository['consumerCallsBackwards']>[2]): Promise<PlanNode[]> {
    const pool = pgPoolOf(testApp.db);
    const plans: PlanNode[][] = [];
    const explaining = {
      query: async (text: string, values: unknown[]) => {
        const result = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
        plans.push(nodesOf(result.rows[0]['QUERY PLAN'][0].Plan));
        return { rows: [] };
      },
    } as unknown as pg.Pool;
    const range = { from: new Date(Date.now() - PERIOD_MS), to: new Date() };
    await new JournalRepository(explaining).consumerCallsBackwards(consumerId, range, page);
    expect(plans).toHaveLength(1);
    return plans[0];
  }

  it('reads each day partition holding calls through the consumer index, never by a scan of its rows', async () => {
    for (const page of [{ limit: 5_001 }, { limit: 5_001, before: { receivedAt: new Date().toISOString(), callId: randomUUID() } }]) {
      const nodes = await planOf(page);
      const indexed = nodes.filter((node) => /Index/.test(node['Node Type']));
      expect(indexed.length).toBeGreaterThan(0);
      for (const node of indexed) expect(node['Index Name']).toMatch(/^call_journal_\d{8}_consumer_id_received_at_call_id_idx$/);
      // A partition the period touches but no call landed in costs nothing to scan, and the planner may do so.
      for (const node of nodes.filter((n) => n['Node Type'] === 'Seq Scan')) {
        const [{ rows }] = await testApp.db.query(`SELECT count(*)::int AS rows FROM ${node['Relation Name']!}`);
        expect({ partition: node['Relation Name'], rows }).toEqual({ partition: node['Relation Name'], rows: 0 });
      }
    }
  });

  it('reads the rows it explains: the consumer\'s calls, newest first, page after page', async () => {
    const repository = new JournalRepository(pgPoolOf(testApp.db));
    const range = { from: new Date(Date.now() - PERIOD_MS), to: new Date() };
    const first = await repository.consumerCallsBackwards(consumerId, range, { limit: 20 });
    const last = first[first.length - 1];
    const second = await repository.consumerCallsBackwards(consumerId, range, { limit: 20, before: { receivedAt: last.receivedAt, callId: last.callId } });
    const all = [...first, ...second];
    expect(all).toHaveLength(OWN_CALLS);
    expect(all.every((call) => call.consumerId === consumerId)).toBe(true);
    expect(all.map((call) => call.receivedAt)).toEqual([...all.map((call) => call.receivedAt)].sort().reverse());
  });
});
