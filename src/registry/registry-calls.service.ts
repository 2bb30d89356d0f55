import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { normalizeRequest, receivedNow, type CallRecord } from '../access/call-record.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import type { AuditOperation } from '../access/access-audit.entity.js';
import { RateLimitedError } from '../common/domain-error.js';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../common/problem-details.filter.js';
import { toProblem } from '../common/problem-details.js';
import { failureHandling } from '../queue/job-failure.js';
import { FaultEngine } from '../connectors/fault-engine.service.js';
import { CallPipeline } from './call-pipeline.service.js';
import { InProcessFault } from './in-process-fault.js';
import type { ChangesPage, VerifyResult } from './registry.dto.js';
import { RegistryService, type VerifyBatchEntry } from './registry.service.js';

/** Who makes an in-process call and why: a job acting as its own consumer, under the same rules as an HTTP caller. */
export interface InProcessCaller {
  consumerId: string;
  serviceCode: string;
  dossierId?: string | null;
  /** The officer's own ID number, when an officer's action started the job. */
  officerId?: string | null;
  /** Repeated across the attempts of one job, as a client's X-Request-Id is across retries; generated when absent. */
  requestId?: string;
  jobId?: string | null;
  attempt?: number | null;
  /** As `X-Sandbox-Session`: the call belongs to this sandbox session of the consumer. */
  sandboxSessionId?: string | null;
  /** As `X-Sandbox-Fault: kind[; param=value]`: a simulated fault for this call only. */
  sandboxFault?: string | null;
}

/** A verify request as a job holds it (the same shape as the HTTP body). */
export interface VerifyInput {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex?: 'male' | 'female';
}

/**
 * The outcome of an in-process call: the typed value, or a failure a job can act on. `transient` (an outage, a
 * rate limit, the registry unavailable or timing out) is worth retrying, after `retryAfterMs` when the registry said
 * so; `permanent` (refused, invalid, not found) will not change by retrying, and a job decides whether it is a result
 * (not found) or a dead end. Every outcome names its row in the call journal.
 */
export type RegistryCallOutcome<T> =
  | { kind: 'ok'; value: T; callId: string }
  | { kind: 'transient'; code: string; status: number; message: string; retryAfterMs: number | null; callId: string | null }
  | { kind: 'permanent'; code: string; status: number; message: string; callId: string | null };

/**
 * The registry's in-process entry point, for popgate's own jobs: the same gate, grants, limits, audit and journal as
 * an HTTP caller, with plain values in and a typed outcome out instead of an HTTP answer.
 */
@Injectable()
export class RegistryCalls {
  constructor(
    private readonly pipeline: CallPipeline,
    private readonly registry: RegistryService,
    private readonly hmac: CitizenHmac,
    private readonly faults: FaultEngine,
  ) {}

  verify(caller: InProcessCaller, input: VerifyInput): Promise<RegistryCallOutcome<VerifyResult>> {
    return this.call(caller, 'verify', 1, { params: {}, query: {}, body: input, xml: false }, input.idNumber, (call) => this.registry.verify(input, call));
  }

  verifyBatch(caller: InProcessCaller, items: readonly VerifyInput[]): Promise<RegistryCallOutcome<VerifyBatchEntry[]>> {
    return this.call(caller, 'verify_batch_item', Math.max(items.length, 1), { params: {}, query: {}, body: { items }, xml: false }, null, (call) => this.registry.verifyBatch({ items }, call));
  }

  lookup(caller: InProcessCaller, idNumber: string, fields: readonly string[]): Promise<RegistryCallOutcome<Record<string, unknown>>> {
    const fieldList = fields.join(',');
    return this.call(caller, 'lookup', 1, { params: { idNumber }, query: { fields: fieldList }, body: null, xml: false }, idNumber, (call) =>
      this.registry.lookup(idNumber, this.registry.resolveFields(fieldList, call), call),
    );
  }

  /** A page of the changes feed after `since` (a state consumer's bulk read; every citizen the page names is audited). */
  changes(caller: InProcessCaller, since: string, limit: number): Promise<RegistryCallOutcome<ChangesPage>> {
    return this.call(caller, 'changes', 1, { params: {}, query: { since, limit: String(limit) }, body: null, xml: false }, null, (call) => this.registry.changes(since, limit, call));
  }

  private async call<T>(
    caller: InProcessCaller,
    operation: AuditOperation,
    citizensAskedAbout: number,
    request: Record<string, unknown>,
    subject: string | null,
    work: (call: CallRecord) => Promise<T>,
  ): Promise<RegistryCallOutcome<T>> {
    let callId: string | null = null;
    try {
      const value = await this.pipeline.run<T>(
        {
          // Generated ids hold letters: a UUID's last group is twelve digits once in about 300 draws, which the
          // request-id rule refuses (it could be an ID number).
          requestId: caller.requestId ?? `inproc-${randomBytes(12).toString('base64url')}`,
          consumerId: caller.consumerId,
          serviceCode: caller.serviceCode,
          dossierId: caller.dossierId ?? null,
          officerId: caller.officerId ?? null,
          operation,
          citizensAskedAbout,
          transport: 'in_process',
          ...receivedNow(),
          normalizedRequest: normalizeRequest(request),
          jobId: caller.jobId ?? null,
          attempt: caller.attempt ?? null,
        },
        work,
        {
          opened: (call) => (callId = call.callId),
          refusedCitizen: () => this.hmac.pseudonymIfValid(subject),
          // The connector's checks, and the faults of the connector's profile (an operator's, for the portal's own
          // jobs), or the caller's own session or header: the same engine as HTTP callers meet.
          fault: async (call) => {
            const plan = await this.faults.decide(call, { sessionId: caller.sandboxSessionId ?? null, fault: caller.sandboxFault ?? null });
            return plan ? new InProcessFault(plan) : null;
          },
        },
      );
      return { kind: 'ok', value, callId: callId! };
    } catch (error) {
      return failureOf(error, callId);
    }
  }
}

/**
 * The queue layer's one failure mapping decides: what a job would retry is transient (outages, limits, timeouts,
 * anything unknown such as a dropped connection); what it would give up on or take as a result is permanent. The
 * wait is the registry's own: a limit's Retry-After, or the outage wait an HTTP caller is told.
 */
function failureOf(error: unknown, callId: string | null): RegistryCallOutcome<never> {
  const { problem } = toProblem(error);
  if (failureHandling(error) === 'retry') {
    const retryAfterMs = error instanceof RateLimitedError ? error.retryAfterSeconds * 1000 : problem.status === 503 ? OUTAGE_RETRY_AFTER_SECONDS * 1000 : null;
    return { kind: 'transient', code: problem.code, status: problem.status, message: problem.detail, retryAfterMs, callId };
  }
  return { kind: 'permanent', code: problem.code, status: problem.status, message: problem.detail, callId };
}
