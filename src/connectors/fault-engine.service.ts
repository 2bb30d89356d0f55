import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { CallRecord } from '../access/call-record.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import type { DomainError } from '../common/domain-error.js';
import { MetricsRegistry } from '../common/metrics.module.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { REDIS } from '../queue/redis.module.js';
import type { ActiveProfile, FaultSource } from './active-profile.js';
import { ConnectorDirectory } from './connector-directory.service.js';
import { decideFault, type FaultRule } from './fault-decision.js';
import { injectedError } from './fault-errors.js';
import { describeFault, FAULT_CATALOG, OUTAGE_RETRY_AFTER_SECONDS, parseFaultHeader, type FaultKind, type FaultOutcome, type FaultPhase, type FaultSpec } from './fault-kinds.js';
import { faultKeyPrefix, FaultScopes } from './fault-scopes.service.js';
import { SharedCounters } from './shared-counters.js';

/** The sandbox headers of a call, as an in-process caller passes them. */
export interface SandboxCallOptions {
  /** `X-Sandbox-Session`: the call belongs to this session of its consumer. */
  sessionId?: string | null;
  /** `X-Sandbox-Fault: kind[; param=value]`: a fault for this call only. */
  fault?: string | null;
}

/** The journal ending of a call failed before the registry answered (structurally a journal CallEnding). */
export interface FaultEnding {
  outcome: FaultOutcome;
  /** Null when nothing was answered (timeout, reset). */
  httpStatus: number | null;
  problemCode: string | null;
  /** The Retry-After the failure is answered with, in seconds (a 429's parameter, a 503's outage wait), or null. */
  retryAfterSeconds: number | null;
}

/** The failure a call meets, as an in-process caller sees it. */
export interface FaultFailure {
  /** Worth a retry: every kind stands for a passing trouble (the queue's failure mapping retries it: 429, 5xx). */
  transient: boolean;
  /** The error to throw after `FaultPlan.delayMs`. */
  error: DomainError;
}

/**
 * What happens to one call. `before_registry` plans: the registry must not run; journal the call with `ending`
 * (and `call.faultKind = kind`), write no audit row, and fail it. `after_answer` plans: serve the call, commit it
 * (with `call.faultKind = kind`), then delay the answer by `latencyMs`, and spoil it (`malformed`) or slow it
 * (`slow_body`).
 */
export interface FaultPlan {
  /** The fault kind, or `latency` when only the answer's delay was drawn; what the journal's fault_kind records. */
  kind: FaultKind | 'latency';
  /** The fault with its parameters; null for latency alone. */
  fault: FaultSpec | null;
  phase: FaultPhase;
  /** Delay of a served answer after its commit (0 for none; never before the registry). */
  latencyMs: number;
  /**
   * How long an in-process caller waits before it meets the failure or the answer: afterMs for a timeout,
   * latencyMs + durationMs for a slow body, latencyMs for the other answered kinds, 0 otherwise.
   */
  delayMs: number;
  /** The value of X-Sandbox-Fault-Applied: `kind; param=value`, and `latency; ms=N` for an answer delayed. */
  applied: string;
  /** For before_registry plans: the call's journal ending. */
  ending: FaultEnding | null;
  /** The error an in-process caller meets (before_registry kinds and malformed); null when it is answered. */
  failure: FaultFailure | null;
  source: FaultSource;
  rule: FaultRule | 'header' | null;
  /** The call's sequence number in its profile, and the attempt number of its request: for replays and tests. */
  sequence: number | null;
  attempt: number | null;
  /** The counters could not be had from Redis: decided from the seed and the call id. */
  fallback: boolean;
}

/** A Redis that does not answer within this is treated as down for the call: faults never hold up the registry. */
const REDIS_TIMEOUT_MS = 100;

/** How long the attempts of one distinct request are counted after the last one. */
const ATTEMPT_TTL_MS = 60 * 60 * 1000;

/**
 * Decides every registry call's connector and fault: the one place HTTP calls (HttpFaults) and in-process calls (the
 * portal's jobs) go through, right after the access gate admits the call, while the registry's work runs (the decision wins over its answer).
 *
 * - The connector of the call's service must be enabled and enable the operation, else a ConnectorUnavailableError
 *   (503) or 403 operation_not_enabled is thrown.
 * - The fault comes from the call's own X-Sandbox-Fault, else from the most specific profile in scope: the session's
 *   (X-Sandbox-Session), the consumer's, and the connector's (for in-process calls, or for every caller when the
 *   operator says so).
 * - A profile that draws or counts takes a share of one Redis round trip (its sequence number; with failFirst, the
 *   request's attempt number too), shared by the calls of one turn of the event loop (SharedCounters); a call with
 *   no profile in scope costs no I/O at all. When Redis does not answer within REDIS_TIMEOUT_MS, the draws fall back
 *   to the seed and the call id, and the call goes on.
 */
@Injectable()
export class FaultEngine {
  private readonly keyPrefix: string;
  private readonly counters: SharedCounters;
  private readonly injected: Counter<'kind' | 'source'>;
  private readonly fallbacks: Counter;

  constructor(
    private readonly connectors: ConnectorDirectory,
    private readonly scopes: FaultScopes,
    private readonly hmac: CitizenHmac,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsRegistry,
  ) {
    this.keyPrefix = faultKeyPrefix(config);
    this.counters = new SharedCounters(redis, REDIS_TIMEOUT_MS);
    this.injected = new Counter({
      name: 'popgate_sandbox_faults_total',
      help: 'Simulated faults applied to registry calls, by kind (latency for a delay alone) and by whose profile or header',
      labelNames: ['kind', 'source'] as const,
      registers: [metrics.registry],
    });
    this.fallbacks = new Counter({
      name: 'popgate_sandbox_fault_fallbacks_total',
      help: 'Fault decisions made without Redis (from the seed and the call id) because Redis did not answer',
      registers: [metrics.registry],
    });
  }

  /**
   * The plan for an admitted call, or null when it meets no fault. Throws the connector's refusals, and a 400 for an
   * X-Sandbox-Fault that names an unknown kind or parameter, or an X-Sandbox-Session that is not the consumer's.
   */
  async decide(call: CallRecord, options: SandboxCallOptions = {}): Promise<FaultPlan | null> {
    const { consumer, service } = call.admitted;
    const connector = this.connectors.check(service.code, call.operation);
    if (options.fault) return this.counted(planOf(parseFaultHeader(options.fault), 0, 'header', 'header', { sequence: null, attempt: null, fallback: false }));
    const profile =
      (await this.scopes.profileFor(consumer.consumerId, options.sessionId ?? null, service.code)) ??
      (connector.profile && (call.values.transport === 'in_process' || connector.applyFaultsToAllCallers) ? connector.profile : null);
    if (!profile) return null;
    const counters = await this.countersFor(profile, call);
    const decision = decideFault(profile.profile, { scope: profile.scope, ...counters, callId: call.callId, nowMs: Date.now() });
    if (!decision.fault && decision.latencyMs === 0) return null;
    return this.counted(planOf(decision.fault, decision.latencyMs, profile.source, decision.rule, counters));
  }

  /** The request fingerprint of a call: the journal's (CallJournal.fingerprint), from the same keyed hash. */
  fingerprint(call: CallRecord): string {
    return this.hmac.fingerprintOf(call);
  }

  private async countersFor(profile: ActiveProfile, call: CallRecord): Promise<{ sequence: number | null; attempt: number | null; fallback: boolean }> {
    const { sequence, attempts } = profile.counters;
    if (!sequence && !attempts) return { sequence: null, attempt: null, fallback: false };
    try {
      // Asked together, so they share one round trip (with the other calls of this turn of the event loop).
      const [number, attempt] = await Promise.all([
        sequence ? this.counters.next(`${this.keyPrefix}:${profile.version}:seq`) : null,
        attempts ? this.counters.next(`${this.keyPrefix}:${profile.version}:attempt:${this.fingerprint(call)}`, ATTEMPT_TTL_MS) : null,
      ]);
      return { sequence: number, attempt, fallback: false };
    } catch {
      this.fallbacks.inc();
      return { sequence: null, attempt: call.values.attempt ?? null, fallback: true };
    }
  }

  private counted(plan: FaultPlan): FaultPlan {
    this.injected.inc({ kind: plan.kind, source: plan.source });
    return plan;
  }
}

function planOf(
  fault: FaultSpec | null,
  latencyMs: number,
  source: FaultSource,
  rule: FaultPlan['rule'],
  counters: { sequence: number | null; attempt: number | null; fallback: boolean },
): FaultPlan {
  const described = fault ? FAULT_CATALOG[fault.kind] : null;
  const phase: FaultPhase = described?.phase ?? 'after_answer';
  const answered = phase === 'after_answer';
  const delay = answered ? latencyMs : 0;
  const applied = [fault ? describeFault(fault.kind, fault.params) : null, answered && latencyMs > 0 ? describeFault('latency', { ms: latencyMs }) : null].filter(Boolean).join(', ');
  const failing = fault !== null && fault.kind !== 'slow_body';
  return {
    kind: fault?.kind ?? 'latency',
    fault,
    phase,
    latencyMs: delay,
    delayMs: fault?.kind === 'timeout' ? fault.params.afterMs : fault?.kind === 'slow_body' ? delay + fault.params.durationMs : delay,
    applied,
    ending:
      described && !answered
        ? {
            outcome: described.journal.outcome as FaultOutcome,
            httpStatus: described.journal.httpStatus,
            problemCode: described.journal.problemCode,
            retryAfterSeconds: fault?.kind === 'rate_limited' ? fault.params.retryAfterSeconds : described.journal.httpStatus === 503 ? OUTAGE_RETRY_AFTER_SECONDS : null,
          }
        : null,
    failure: failing ? { transient: true, error: injectedError(fault) } : null,
    source,
    rule,
    ...counters,
  };
}
