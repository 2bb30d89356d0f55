import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuditOperation } from '../access/access-audit.entity.js';
import { AUDITED_BY_INTERCEPTOR, CALL_RECORD, normalizeRequest, RECEIVED_AT, receivedNow, type CallValues, type RequestWithAccess } from '../access/call-record.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { HttpFaults } from '../connectors/http-faults.js';
import { CallPipeline } from './call-pipeline.service.js';
import { MAX_VERIFY_BATCH } from './registry.dto.js';

/**
 * The audited operation of each purpose-bound registry route, by route template: used here, and by RefusalAudit for
 * calls refused before this interceptor runs (a body that is not JSON, too large, of another type).
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
 * Purpose-bound access to the registry over HTTP. The AccessGate opens the call's record and admits it from its
 * headers before the handler runs; when the call ends, served or refused, its journal row and audit rows are
 * committed together, once, before the answer leaves (a commit that fails becomes the answer: a 503). The answer
 * carries the call's id as `X-Call-Id`, to find it in the journal.
 */
@Injectable()
export class RegistryAccessInterceptor implements NestInterceptor {
  constructor(
    private readonly pipeline: CallPipeline,
    private readonly hmac: CitizenHmac,
    private readonly faults: HttpFaults,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithAccess>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    request[AUDITED_BY_INTERCEPTOR] = true;
    const operation = OPERATION_BY_ROUTE[request.routeOptions.url ?? ''] ?? 'lookup';
    return from(this.run(request, reply, operation, () => lastValueFrom(next.handle())));
  }

  private run(request: FastifyRequest & RequestWithAccess, reply: FastifyReply, operation: AuditOperation, handle: () => Promise<unknown>): Promise<unknown> {
    return this.pipeline.run(callValuesOf(request, operation), handle, {
      opened: (call) => {
        request[CALL_RECORD] = call;
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
