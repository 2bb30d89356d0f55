import { hash } from 'node:crypto';
import type { FaultSpec } from './fault-kinds.js';
import type { FaultProfile, LatencySpec } from './fault-profile.js';

/** Which part of a profile made the decision. */
export type FaultRule = 'outage' | 'fail_first' | 'every_nth' | 'errors';

/** Where a call stands in its profile's scope, as the decision needs it. */
export interface DecisionPoint {
  /**
   * The service part of the scope (`*` for a profile over all of an owner's services): with the seed and the
   * sequence number, it is all a decision depends on, so the same seed replays the same run in any session.
   */
  scope: string;
  /** The call's number among the calls of the profile (1, 2, ...), shared by every API process; null when not counted. */
  sequence: number | null;
  /** How many times this exact request (its fingerprint) has been made under the profile, this one included. */
  attempt: number | null;
  /** When the counters could not be had (Redis did not answer): draws are keyed by the call id instead. */
  fallback: boolean;
  callId: string;
  /** Wall-clock time, epoch ms: outage windows are aligned to it, so every process agrees. */
  nowMs: number;
}

export interface FaultDecision {
  fault: FaultSpec | null;
  rule: FaultRule | null;
  /** Delay of a served answer, whole milliseconds (0 for none). */
  latencyMs: number;
}

/**
 * A uniform number in [0, 1) from the seed, the scope, the call's place and what is drawn (`tag`): SHA-256, first 48
 * bits. The same inputs give the same number in every process and every run.
 */
export function draw(seed: string, scope: string, place: string, tag: string): number {
  // The one-shot hash: a third of createHash's cost, and a call with a profile draws once or twice.
  const digest = hash('sha256', `${seed}\0${scope}\0${place}\0${tag}`, 'buffer');
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Decides a call's fault under `profile`: a pure function of the profile (its seed), the scope, the sequence and
 * attempt numbers and the wall clock. In this order: an outage window, the first attempts of each distinct request,
 * every nth call, the error kinds by probability (one draw, the kinds stacked in the order given). Latency is drawn
 * whatever the outcome; it applies to served answers.
 *
 * Without counters (`fallback`), draws are keyed by the call id; every nth call fails with probability 1/n; and
 * failFirst, which cannot count attempts, fails a call with probability N/(N+1), the share of failed attempts of a
 * client that retries until answered, unless the caller knows its attempt number (an in-process job does).
 */
export function decideFault(profile: FaultProfile, point: DecisionPoint): FaultDecision {
  const place = point.sequence !== null && !point.fallback ? `seq:${point.sequence}` : `call:${point.callId}`;
  const u = (tag: string) => draw(profile.seed, point.scope, place, tag);
  const latencyMs = profile.latency ? sampleLatency(profile.latency, u) : 0;
  const decided = (fault: FaultSpec, rule: FaultRule): FaultDecision => ({ fault, rule, latencyMs });

  for (const outage of profile.outages) {
    const inside = 'fromMs' in outage ? point.nowMs >= outage.fromMs && point.nowMs < outage.toMs : point.nowMs % outage.periodMs < outage.durationMs;
    if (inside) return decided(outage.fault, 'outage');
  }
  if (profile.failFirst) {
    const { attempts, fault } = profile.failFirst;
    const failed = point.attempt !== null ? point.attempt <= attempts : u('fail_first') < attempts / (attempts + 1);
    if (failed) return decided(fault, 'fail_first');
  }
  if (profile.everyNth) {
    const { n, fault } = profile.everyNth;
    const failed = place.startsWith('seq:') ? point.sequence! % n === 0 : u('every_nth') < 1 / n;
    if (failed) return decided(fault, 'every_nth');
  }
  if (profile.errors.length > 0) {
    const x = u('errors');
    let edge = 0;
    for (const rule of profile.errors) {
      edge += rule.probability;
      if (x < edge) return decided(rule.fault, 'errors');
    }
  }
  return { fault: null, rule: null, latencyMs };
}

/** z of a probability of 0.99 under the standard normal: p99 = median * e^(sigma * 2.3263). */
const Z_99 = 2.326347874;

function sampleLatency(latency: LatencySpec, u: (tag: string) => number): number {
  switch (latency.distribution) {
    case 'fixed':
      return latency.ms!;
    case 'uniform':
      return Math.round(latency.minMs! + u('latency') * (latency.maxMs! - latency.minMs!));
    case 'lognormal': {
      const sigma = Math.log(latency.p99Ms! / latency.medianMs!) / Z_99;
      // Box-Muller from two draws; 1 - u is in (0, 1], so the logarithm is finite.
      const z = Math.sqrt(-2 * Math.log(1 - u('latency.1'))) * Math.cos(2 * Math.PI * u('latency.2'));
      return Math.min(60_000, Math.round(latency.medianMs! * Math.exp(sigma * z)));
    }
  }
}
