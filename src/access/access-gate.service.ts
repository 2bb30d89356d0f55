import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DomainError, ForbiddenError, UnauthorizedError, ValidationFailedError, type FieldError } from '../common/domain-error.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import type { AuditOperation } from './access-audit.entity.js';
import type { AccessContext, KnownCall } from './access-context.js';
import { ADDRESS_RATE_LIMITED, AddressLimits } from './address-limits.service.js';
import { bearerKey } from './api-key.js';
import { CallRecord, type CallValues, type GateCall } from './call-record.js';
import { acceptedRequestId, dossierIdProblems, officerIdProblems, REQUEST_ID_RULE } from './call-purpose.js';
import { CitizenHmac } from './citizen-hmac.js';
import { ConsumerDirectory, type ConsumerIdentity } from './consumer-directory.service.js';
import { ConsumerLimits } from './consumer-limits.service.js';

/**
 * The one access gate of the registry. Every call, over HTTP or in-process, is admitted here: a call with a client
 * address must be within that address's limit (429 `address_rate_limited`, checked first, before any key is looked
 * up, and never audited: see isUnauditedRefusal), the key (or consumer) identifies a consumer (401 otherwise), the service code names the purpose, which must be granted to it (403), the
 * dossier and officer values must be well formed (400), and the consumer must be within its rate and quota (429).
 * What the gate established is kept in the call's KnownCall even when it refuses, so that the refusal's audit
 * record says who asked, for which service and dossier.
 */
@Injectable()
export class AccessGate {
  constructor(
    private readonly consumers: ConsumerDirectory,
    private readonly catalog: ServiceCatalog,
    private readonly limits: ConsumerLimits,
    private readonly addresses: AddressLimits,
    private readonly hmac: CitizenHmac,
  ) {}

  /** Opens the record of a call as it arrives: nothing is written until the call is committed, once. */
  open(values: CallValues): CallRecord {
    // An in-process caller's request and job ids are recorded in clear like an HTTP request id (HTTP ones are made
    // safe by the genReqId of gateway-app.ts, with the same rule): one that fails it is not kept, and the call is
    // refused.
    const problems: FieldError[] = [];
    let safe = values;
    if (values.transport !== 'in_process') return new CallRecord(values);
    if (acceptedRequestId(values.requestId) === undefined) {
      problems.push({ field: 'requestId', rule: 'format', message: REQUEST_ID_RULE });
      safe = { ...safe, requestId: `inproc-${randomBytes(12).toString('base64url')}` };
    }
    if (values.jobId != null && acceptedRequestId(values.jobId) === undefined) {
      problems.push({ field: 'jobId', rule: 'format', message: REQUEST_ID_RULE });
      safe = { ...safe, jobId: null };
    }
    const record = new CallRecord(safe);
    record.openingProblems = problems;
    return record;
  }

  /**
   * Admits the call or throws the refusal; the record's `known` receives what was established either way, and its
   * `access` the context once admitted.
   */
  async admit(record: CallRecord): Promise<AccessContext> {
    this.limitAddress(record);
    if (record.openingProblems.length > 0) {
      throw new ValidationFailedError(record.openingProblems.map((e) => `${e.field}: ${e.message}`).join('; '), [...record.openingProblems]);
    }
    const access = await this.establish(record.values, record.known);
    record.access = access;
    return access;
  }

  /**
   * Counts the call against its client address's limit, or throws 429 `address_rate_limited`. The first check of
   * every call, and of a call refused while its body was parsed (RefusalAudit), so that a flood costs no key look-up
   * and no body spelling gets round it.
   */
  limitAddress(record: CallRecord): void {
    if (record.values.clientAddress !== undefined) this.addresses.takeCall(record.values.clientAddress);
  }

  private async establish(call: GateCall, known: KnownCall): Promise<AccessContext> {
    const consumer = await this.caller(call);
    if (!consumer) throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
    known.consumer = consumer;

    const errors = [];
    if (!call.serviceCode) errors.push({ field: 'header.X-Service-Code', rule: 'required', message: 'names the public service (purpose) of the call' });
    const dossierId = call.dossierId ?? null;
    if (dossierId !== null) errors.push(...dossierIdProblems(dossierId, 'header.X-Dossier-Id'));
    const officerId = call.officerId ?? null;
    if (officerId !== null) errors.push(...officerIdProblems(officerId, 'header.X-Officer-Id'));
    if (errors.length > 0) throw new ValidationFailedError(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    known.dossierId = dossierId;
    known.officer = officerId ? this.hmac.pseudonym(officerId) : null;

    const service = await this.catalog.purpose(call.serviceCode!);
    // Recorded even when refused, so that the audit filter by service finds attempts at services not granted. A code
    // outside the catalog is not recorded: the header is free text, and the audit keeps nothing unchecked in clear.
    if (service) known.service = service;
    if (!service || !consumer.serviceCodes.has(service.code)) {
      throw new ForbiddenError('service_not_granted', `Service ${JSON.stringify(call.serviceCode!.slice(0, 40))} is not granted to this consumer${service ? '' : ' (it is not in the catalog)'}.`);
    }
    // Synchronous on almost every call; a promise only when the call waits for a lease of the shared rate limit.
    const waiting = this.limits.take(consumer, call.citizensAskedAbout);
    if (waiting) await waiting;
    return known as AccessContext;
  }

  /**
   * What can be said of a call refused before it reached the gate (a body that is not JSON, say): each value kept
   * only when valid, nothing refused for the others.
   */
  async describe(record: CallRecord): Promise<void> {
    const { values: call, known } = record;
    // No key, or a malformed one: recorded without a consumer. A directory that cannot answer fails the record.
    known.consumer = (await this.caller(call).catch((error: unknown) => {
      if (error instanceof UnauthorizedError) return null;
      throw error;
    })) ?? undefined;
    known.service = call.serviceCode ? await this.catalog.purpose(call.serviceCode) : undefined;
    known.dossierId = call.dossierId && dossierIdProblems(call.dossierId, '').length === 0 ? call.dossierId : null;
    known.officer = this.hmac.pseudonymIfValid(call.officerId);
  }

  /** Notes the audit record of a refused call, committed with the call's journal row. */
  recordRefusal(record: CallRecord, citizen: { hmac: string; masked: string } | null, code: string): void {
    record.audit([{ operation: record.operation, citizen, fields: [], outcome: 'refused', reason: code }]);
  }

  /**
   * Whether a failure of an admitted call is a refusal the gate records: not-found answers are results (audited by
   * the registry with outcome not_found), outages are not the caller's doing, and an error the registry audited
   * itself is not recorded twice. Nor is a call over its address's limit: the append-only audit must not grow with
   * what one address sends beyond its limit (bad keys, say); its journal row, which retention drops, records it.
   */
  static isUnauditedRefusal(error: unknown): error is DomainError {
    return error instanceof DomainError && !error.audited && error.status !== 404 && error.status < 500 && error.code !== ADDRESS_RATE_LIMITED;
  }

  private async caller(call: GateCall): Promise<ConsumerIdentity | null> {
    if (call.consumerId !== undefined) return this.consumers.byId(call.consumerId);
    return this.consumers.byKey(bearerKey(call.authorization));
  }
}
