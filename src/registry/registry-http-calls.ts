import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditOperation } from '../access/access-audit.entity.js';
import { AUDITED_BY_PIPELINE, CALL_RECORD, normalizeRequest, RECEIVED_AT, receivedNow, type CallRecord, type CallValues, type RequestWithAccess } from '../access/call-record.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { HttpFaults } from '../connectors/http-faults.js';
import { CallPipeline } from './call-pipeline.service.js';
import { MAX_VERIFY_BATCH } from './registry.dto.js';

/**
 * The audited operation of each purpose-bound registry route, by route template: used here, and by RefusalAudit for
 * calls refused before RegistryHttpCalls runs (a body that is not JSON, too large, of another type).
 */
export const OPERATION_BY_ROUTE: Record<string, AuditOperation> = {
  '/registry/v1/citizens/:idNumber': 'lookup',
  '/registry/v1/citizens/verify': 'verify',
  '/registry/v1/citizens/verify-batch': 'verify_batch_item',
  '/registry/v1/households/:householdId': 'household',
  '/registry/v1/changes': 'changes',
};

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How many citizens a call asks about, for the daily quota: each item of a verify-batch (a batch over the maximum
 * is refused by the handler and counts one), one for every other call. Read before validation, which comes later: a batch
 * whose items are partly invalid still counts them, since each gets an answer.
 */
function citizensAskedAbout(request: FastifyRequest, operation: AuditOperation): number {
  if (operation !== 'verify_batch_item') return 1;
  const items = (request.body as { items?: unknown } | undefined)?.items;
  // A batch over the maximum is refused (413) without an answer about anyone: it counts as one call.
  return Array.isArray(items) && items.length <= MAX_VERIFY_BATCH ? Math.max(items.length, 1) : 1;
}

/** The gate's view of an HTTP registry call: its key, purpose headers and what it asks. */
export function callValuesOf(request: FastifyRequest & RequestWithAccess, operation: AuditOperation): CallValues {
  return {
    requestId: String(request.id),
    authorization: request.headers.authorization,
    serviceCode: header(request, 'x-service-code'),
    dossierId: header(request, 'x-dossier-id') ?? null,
    officerId: header(request, 'x-officer-id') ?? null,
    operation,
    clientAddress: request.ip,
    citizensAskedAbout: citizensAskedAbout(request, operation),
    transport: 'http',
    ...(request[RECEIVED_AT] ?? receivedNow()),
    normalizedRequest: normalizeRequest({
      params: request.params ?? {},
      query: request.query ?? {},
      body: request.body ?? null,
      xml: /\b(application|text)\/xml\b/.test(request.headers.accept ?? ''),
    }),
  };
}

/**
 * Purpose-bound access to the registry over HTTP: every registry handler runs its work through `run`, which hands
 * the call to the CallPipeline. The AccessGate opens the call's record and admits it from its headers before the
 * work runs; when the call ends, served or refused, its journal row and audit rows are committed together, once,
 * before the answer leaves (a commit that fails becomes the answer: a 503). The answer carries the call's id as
 * `X-Call-Id`, to find it in the journal.
 *
 * A plain call from the handler rather than a Nest interceptor: an interceptor wraps each call in rxjs Observables,
 * which cost the hot registry routes a tenth of their time (docs/BENCHMARKS.md), for nothing this needs.
 */
@Injectable()
export class RegistryHttpCalls {
  constructor(
    private readonly pipeline: CallPipeline,
    private readonly hmac: CitizenHmac,
    private readonly faults: HttpFaults,
  ) {}

  /** Runs `work` as the registry call this request makes (its operation read off the route), or throws its refusal. */
  run<T>(request: FastifyRequest, reply: FastifyReply, work: (call: CallRecord) => Promise<T>): Promise<T> {
    const withAccess = request as FastifyRequest & RequestWithAccess;
    const operation = OPERATION_BY_ROUTE[request.routeOptions.url ?? ''];
    if (!operation) throw new Error(`RegistryHttpCalls.run on ${request.routeOptions.url}, which is not a purpose-bound registry route (OPERATION_BY_ROUTE)`);
    withAccess[AUDITED_BY_PIPELINE] = true;
    return this.pipeline.run(callValuesOf(withAccess, operation), work, {
      opened: (call) => {
        withAccess[CALL_RECORD] = call;
        void reply.header('x-call-id', call.callId);
      },
      refusedCitizen: () => this.citizenOf(request),
      // The connector (state, operations) and the call's simulated fault, carried out on the socket.
      fault: (call) => this.faults.decide(call, request, reply),
    });
  }

  /** The citizen a refused call was about: the ID number of the path, or of a single verify's body, when valid. */
  private citizenOf(request: FastifyRequest): { hmac: string; masked: string } | null {
    const idNumber = (request.params as { idNumber?: unknown } | undefined)?.idNumber ?? (request.body as { idNumber?: unknown } | undefined)?.idNumber;
    return this.hmac.pseudonymIfValid(idNumber);
  }
}
