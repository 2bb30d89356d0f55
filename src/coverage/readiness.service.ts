import { Injectable } from '@nestjs/common';
import type { ReaderKeyHolder } from '../access/manager.guard.js';
import { ConsumersService } from '../access/consumers.service.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { ForbiddenError } from '../common/domain-error.js';
import { parseInput } from '../common/validation.js';
import { ConnectorDirectory } from '../connectors/connector-directory.service.js';
import type { JournalCallView, JournalCursor } from '../journal/journal.dto.js';
import { JournalRepository } from '../journal/journal.repository.js';
import { PERSONAS } from '../sandbox/population/personas.js';
import { judgeService } from './readiness-checklist.js';
import { BACKOFF_JITTER_SHARE, MAX_RETRIES, MIN_RETRY_GAP_MS, RETRY_WINDOW_MS, type ScenarioCall } from './readiness-scenarios.js';
import { consumerIdParamSchema, type ReadinessQuery, type ReadinessReport } from './readiness.dto.js';

/** Calls per keyset read of the journal. */
const READ_PAGE = 5_000;
/**
 * The most calls one answer reads (four keyset reads): a developer's sandbox week is far below it, and the checklist
 * holds them in memory. Beyond it the newest are read, so the verdict follows what the client does now, and the
 * answer says it was truncated.
 */
export const MAX_READINESS_CALLS = 20_000;

/**
 * Go-live readiness of one consumer: its calls of a period, read from the call journal, judged against the scenario
 * catalogue, per service.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly consumers: ConsumersService,
    private readonly catalog: ServiceCatalog,
    private readonly connectors: ConnectorDirectory,
    private readonly journal: JournalRepository,
  ) {}

  /**
   * Who may read a consumer's readiness: the admin key and MANAGER_API_KEY (managers read, never change), or that
   * consumer's own key (another consumer's is 403: the developer asked for an id that is not theirs, and knows which
   * ids exist only through its own key).
   */
  assertMayRead(holder: ReaderKeyHolder, consumerId: string): void {
    if (holder.kind === 'admin' || holder.kind === 'manager') return;
    if (holder.kind === 'consumer' && holder.consumerId === consumerId.toLowerCase()) return;
    throw new ForbiddenError('not_own_consumer', "A consumer key may read only its own consumer's readiness; this id is another consumer's.");
  }

  async report(id: string, query: ReadinessQuery): Promise<ReadinessReport> {
    const consumerId = parseInput(consumerIdParamSchema, id, 'consumerId').toLowerCase();
    const consumer = await this.consumers.get(consumerId);
    const { calls, truncated } = await this.callsOf(consumerId, query);
    const byService = new Map<string, ScenarioCall[]>(consumer.serviceCodes.map((code) => [code, []]));
    for (const call of calls) {
      if (call.serviceCode === null) continue;
      const list = byService.get(call.serviceCode);
      if (list) list.push(call);
      else byService.set(call.serviceCode, [call]);
    }
    // One read of the catalog for every service's allow-list (a developer is granted them all); a service removed
    // from the catalog since has none, so every field it was asked for counts as outside it.
    const allowLists = new Map((await this.catalog.list()).map((entry) => [entry.code, entry.allowedFields]));
    const services = [...byService]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, serviceCalls]) => judgeService({ code, allowedFields: allowLists.get(code) ?? [], operations: this.connectors.operationsOf(code) }, serviceCalls, query, PERSONAS));
    return {
      consumerId,
      consumerName: consumer.name,
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      analysedCalls: calls.length,
      truncated,
      analysedFrom: calls[0]?.receivedAt.toISOString() ?? null,
      rules: { retryWindowMs: RETRY_WINDOW_MS, minRetryGapMs: MIN_RETRY_GAP_MS, maxRetries: MAX_RETRIES, backoffJitterShare: BACKOFF_JITTER_SHARE },
      services,
    };
  }

  /**
   * The consumer's calls from `from` until the retry window after `to` (what the client did after the period's last
   * calls), oldest first: keyset reads of the journal's consumer index, newest first, until MAX_READINESS_CALLS.
   */
  private async callsOf(consumerId: string, period: ReadinessQuery): Promise<{ calls: ScenarioCall[]; truncated: boolean }> {
    const range = { from: period.from, to: new Date(period.to.getTime() + RETRY_WINDOW_MS) };
    const read: JournalCallView[] = [];
    let before: JournalCursor | undefined;
    let truncated = false;
    while (read.length < MAX_READINESS_CALLS) {
      const limit = Math.min(READ_PAGE, MAX_READINESS_CALLS - read.length);
      const page = await this.journal.consumerCallsBackwards(consumerId, range, { before, limit: limit + 1 });
      read.push(...page.slice(0, limit));
      if (page.length <= limit) break;
      if (read.length >= MAX_READINESS_CALLS) truncated = true;
      const last = read[read.length - 1];
      before = { receivedAt: last.receivedAt, callId: last.callId };
    }
    return { calls: read.reverse().map(scenarioCallOf), truncated };
  }
}

function scenarioCallOf(view: JournalCallView): ScenarioCall {
  return {
    callId: view.callId,
    receivedAt: new Date(view.receivedAt),
    requestId: view.requestId,
    serviceCode: view.serviceCode,
    operation: view.operation,
    outcome: view.outcome,
    httpStatus: view.httpStatus,
    problemCode: view.problemCode,
    faultKind: view.faultKind,
    latencyMs: view.latencyMs,
    fieldsRequested: view.fieldsRequested,
    personaKey: view.personaKey,
    fingerprint: view.fingerprint,
    retryAfterSeconds: view.retryAfterSeconds,
  };
}
