import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUDITED_BY_PIPELINE, type RequestWithAccess } from '../access/call-record.js';
import type { AuditOperation } from '../access/access-audit.entity.js';
import { AccessGate } from '../access/access-gate.service.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { CallJournal } from '../journal/call-journal.service.js';
import { failedEnding, outcomeOfProblem } from '../journal/call-outcome.js';
import { callValuesOf, OPERATION_BY_ROUTE } from './registry-http-calls.js';

/**
 * Audits the registry calls refused before RegistryHttpCalls could take them in hand: Fastify refuses a body
 * that is not JSON, too large or of another type while parsing it, before any handler runs. Those are refused calls
 * too, and every refused registry call leaves a record: who (when the key is valid), for which catalog service and
 * dossier, about which citizen (a valid ID number in the path), and the problem code; and every one is journaled,
 * once, in the same commit.
 */
@Injectable()
export class RefusalAudit {
  constructor(
    private readonly gate: AccessGate,
    private readonly journal: CallJournal,
    private readonly hmac: CitizenHmac,
  ) {}

  /**
   * Records the refusal when the request is a purpose-bound registry call that nothing audited yet. Rejects when the
   * record cannot be written, so that the caller answers with that failure (503) rather than unaudited; and with 429
   * `address_rate_limited` when the call's address is over its limit: then the call is journaled as that and left out
   * of the audit, as the gate does with any call over the limit (otherwise a body that does not parse would be the
   * way to grow the audit without limit).
   */
  async recordIfUnaudited(request: FastifyRequest & RequestWithAccess, reply: FastifyReply, problem: { status: number; code: string }): Promise<void> {
    const { code } = problem;
    if (request[AUDITED_BY_PIPELINE]) return;
    const route = request.routeOptions?.url;
    const operation = route ? OPERATION_BY_ROUTE[route] : operationOfUnmatchedPath(request.url);
    if (!operation) return;
    // A registry URL that no route matched (a malformed or over-long parameter, an unknown sub-path, another method)
    // is journaled, as every call to the registry is, but read no citizen: it is not audited.
    const matched = route !== undefined && OPERATION_BY_ROUTE[route] !== undefined;
    const call = this.gate.open(callValuesOf(request, operation));
    void reply.header('x-call-id', call.callId);
    try {
      this.gate.limitAddress(call);
    } catch (error) {
      await this.journal.commit(call, failedEnding(error));
      throw error;
    }
    await this.gate.describe(call);
    if (matched) {
      const citizen = this.hmac.pseudonymIfValid((request.params as { idNumber?: unknown } | undefined)?.idNumber);
      this.gate.recordRefusal(call, citizen, code);
    }
    await this.journal.commit(call, { outcome: outcomeOfProblem(problem.status, code), httpStatus: problem.status, problemCode: code });
  }
}

/**
 * The operation a registry URL that matched no route was meant for, by its path (the field catalogue is no call):
 * the journal keeps such calls under that operation.
 */
function operationOfUnmatchedPath(url: string): AuditOperation | undefined {
  const path = url.split('?')[0];
  if (!path.startsWith('/registry/v1/') || path.startsWith('/registry/v1/fields')) return undefined;
  if (path.startsWith('/registry/v1/citizens/verify-batch')) return 'verify_batch_item';
  if (path.startsWith('/registry/v1/citizens/verify')) return 'verify';
  if (path.startsWith('/registry/v1/citizens')) return 'lookup';
  if (path.startsWith('/registry/v1/households')) return 'household';
  if (path.startsWith('/registry/v1/changes')) return 'changes';
  return undefined;
}
