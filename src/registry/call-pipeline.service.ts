import { Injectable } from '@nestjs/common';
import { AccessGate } from '../access/access-gate.service.js';
import type { CallRecord, CallValues } from '../access/call-record.js';
import type { FaultEnding } from '../connectors/fault-engine.service.js';
import { CallJournal } from '../journal/call-journal.service.js';
import { failedEnding, servedEnding } from '../journal/call-outcome.js';

/**
 * A call's simulated fault as its transport carries it out (HttpFault on the socket, InProcessFault for jobs): a
 * fault before the registry answers drops the work's answer, is journaled with its ending and fails the call; a fault after
 * the answer lets the work run and the call commit, then changes the answer.
 */
export interface PipelineFault {
  readonly kind: string;
  readonly beforeAnswer: boolean;
  readonly ending: FaultEnding;
  fail(): Promise<never>;
  /** The served value as the caller gets it: the same value after a delay, or a failure (a malformed body). */
  answer(value: unknown): Promise<unknown>;
}

/** What a caller of the pipeline adds to a call: see it opened, name a refusal's citizen, decide its fault. */
export interface CallHooks {
  opened?: (call: CallRecord) => void;
  /** The citizen a refused call named (a valid ID number of its path or body), pseudonymised, or null. */
  refusedCitizen?: () => { hmac: string; masked: string } | null;
  /** The connector's checks and the call's fault, after admission, while the work runs (their refusal wins). */
  fault?: (call: CallRecord) => Promise<PipelineFault | null>;
}

/**
 * The one way a registry call runs, over HTTP or in-process: the gate opens its record and admits it, the connector
 * and the fault engine decide what it meets, the work is done, and the call is committed once (journal row and audit
 * rows in one statement) before its value is returned or its error rethrown. A commit that fails replaces the
 * answer: no call is answered unjournaled or unaudited.
 */
@Injectable()
export class CallPipeline {
  constructor(
    private readonly gate: AccessGate,
    private readonly journal: CallJournal,
  ) {}

  async run<T>(values: CallValues, work: (call: CallRecord) => Promise<T>, hooks: CallHooks = {}): Promise<T> {
    const call = this.gate.open(values);
    hooks.opened?.(call);
    let value: T | undefined;
    let fault: PipelineFault | null = null;
    try {
      await this.gate.admit(call);
      // The work starts while the connector and the fault are decided (a profile's sequence number is a Redis round
      // trip): one wait instead of two in a row. The decision still comes first: its refusal or a fault before the
      // answer wins, and then the work's value, error and notes are dropped, unsent and unaudited, as if it had not
      // run (registry work only reads). docs/BENCHMARKS.md has what the second wait cost.
      const decided = hooks.fault?.(call) ?? Promise.resolve(null);
      const working = work(call);
      // Handled from now on: the work may fail before the decision is known, which would otherwise be an unhandled
      // rejection; its failure is still what `await working` throws below.
      working.catch(() => undefined);
      // When the decision wins, the work is let finish (so that nothing it notes comes after it is forgotten), and
      // whatever it gave is dropped.
      const dropWork = async () => {
        await working.catch(() => undefined);
        call.forgetServed();
      };
      try {
        fault = await decided;
      } catch (refusal) {
        await dropWork();
        throw refusal;
      }
      if (fault?.beforeAnswer) await dropWork();
      else value = await working;
    } catch (error) {
      if (AccessGate.isUnauditedRefusal(error)) this.gate.recordRefusal(call, hooks.refusedCitizen?.() ?? null, error.code);
      await this.journal.commit(call, failedEnding(error));
      throw error;
    }
    if (fault) call.faultKind = fault.kind;
    if (fault?.beforeAnswer) {
      // A failure before the registry answers disclosed nothing: one journal row, no audit row, then the failure.
      await this.journal.commit(call, fault.ending);
      return fault.fail();
    }
    await this.journal.commit(call, servedEnding(call));
    return fault ? ((await fault.answer(value)) as T) : (value as T);
  }
}
