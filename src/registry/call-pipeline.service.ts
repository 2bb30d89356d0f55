import { Injectable } from '@nestjs/common';
import { AccessGate } from '../access/access-gate.service.js';
import type { CallRecord, CallValues } from '../access/call-record.js';
import { CallJournal } from '../journal/call-journal.service.js';
import { failedEnding, servedEnding } from '../journal/call-outcome.js';

/** What a caller of the pipeline may add to a call: see it opened, and name the citizen a refusal was about. */
export interface CallHooks {
  opened?: (call: CallRecord) => void;
  /** The citizen a refused call named (a valid ID number of its path or body), pseudonymised, or null. */
  refusedCitizen?: () => { hmac: string; masked: string } | null;
}

/**
 * The one way a registry call runs, over HTTP or in-process: the gate opens its record and admits it, the work is
 * done, and the call is committed once (journal row and audit rows in one statement) before its value is returned
 * or its error rethrown. A commit that fails replaces the answer: no call is answered unjournaled or unaudited.
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
    let value: T;
    try {
      await this.gate.admit(call);
      value = await work(call);
    } catch (error) {
      if (AccessGate.isUnauditedRefusal(error)) this.gate.recordRefusal(call, hooks.refusedCitizen?.() ?? null, error.code);
      await this.journal.commit(call, failedEnding(error));
      throw error;
    }
    await this.journal.commit(call, servedEnding(call));
    return value;
  }
}
