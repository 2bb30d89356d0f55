import { Injectable } from '@nestjs/common';
import { auditRowsOf } from '../access/audit-rows.js';
import type { CallRecord } from '../access/call-record.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { SharedCommitWriter, type JournalRow } from '../database/shared-commit.writer.js';
import type { CallEnding } from './call-outcome.js';

/** The call's latency in ms (µs precision); a receipt time that is not a number (an in-process caller's) gives 0, never NaN. */
function latencyOf(call: CallRecord): number {
  const ms = Math.round((performance.now() - call.values.receivedAtMonotonic) * 1000) / 1000;
  return Number.isFinite(ms) ? Math.max(ms, 0) : 0;
}

/** Tells the persona key of a citizen, or null: the sandbox, which owns the personas, provides it. */
export type PersonaKeyOf = (idNumber: string) => string | null;

/**
 * Commits each registry call once: its journal row and its audit rows go to the shared-commit writer in one
 * statement, and the caller answers only after that commit. A call whose commit fails (the database is down) is
 * answered with that failure and leaves neither: the only calls the journal cannot show, counted by
 * `popgate_journal_unwritable_calls_total`.
 */
@Injectable()
export class CallJournal {
  private personaKeyOf: PersonaKeyOf = () => null;

  constructor(
    private readonly writer: SharedCommitWriter,
    private readonly hmac: CitizenHmac,
  ) {}

  /** Called by the sandbox at start. */
  usePersonaKeys(personaKeyOf: PersonaKeyOf): void {
    this.personaKeyOf = personaKeyOf;
  }

  /** The fingerprint of the call's request: the same consumer, operation and normalised request give the same one. */
  fingerprint(call: CallRecord): string {
    return this.hmac.fingerprintOf(call);
  }

  /** Commits the call's rows; a second commit of the same call does nothing (every exit path commits once). */
  async commit(call: CallRecord, ending: CallEnding): Promise<void> {
    if (call.committed) return;
    call.committed = true;
    const row: JournalRow = {
      callId: call.callId,
      receivedAt: call.receivedAt,
      requestId: call.values.requestId,
      transport: call.values.transport,
      consumerId: call.known.consumer?.consumerId ?? null,
      serviceCode: call.known.service?.code ?? null,
      operation: call.operation,
      dossierId: call.known.dossierId ?? null,
      jobId: call.values.jobId ?? null,
      attempt: call.values.attempt ?? null,
      outcome: ending.outcome,
      httpStatus: ending.httpStatus,
      problemCode: ending.problemCode,
      retryAfterSeconds: ending.retryAfterSeconds ?? null,
      faultKind: call.faultKind,
      latencyMs: latencyOf(call),
      fieldsRequested: call.fieldsRequested,
      fieldsReturned: ending.httpStatus === 200 ? call.fieldsReturned : [],
      batch: call.batch,
      personaKey: call.subjectIdNumber ? this.personaKeyOf(call.subjectIdNumber) : null,
      fingerprint: this.fingerprint(call),
    };
    await this.writer.append({ journal: [row], audit: auditRowsOf(call.known, call.callId, call.auditEntries) });
  }
}
