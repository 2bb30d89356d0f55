import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DomainError, ForbiddenError, UnauthorizedError, ValidationFailedError } from '../common/domain-error.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { validateIdNumber } from '../identity/id-number.js';
import { MAX_VERIFY_BATCH } from './registry.dto.js';
import type { AuditOperation } from '../access/access-audit.entity.js';
import { ACCESS_CONTEXT, AUDITED_BY_INTERCEPTOR, type AccessContext, type RequestWithAccess } from '../access/access-context.js';
import { bearerKey } from '../access/api-key.js';
import { AuditWriter } from '../access/audit-writer.service.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { ConsumerDirectory } from '../access/consumer-directory.service.js';
import { ConsumerLimits } from '../access/consumer-limits.service.js';

/** What a portal dossier id may look like (also checked where consents and audit filters name one). */
export const DOSSIER_ID_PATTERN = /^[\w./:-]{1,64}$/;

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

export function header(request: FastifyRequest, name: string): string | undefined {
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

/**
 * Purpose-bound access to the registry. Before the handler: the key identifies a consumer (401 otherwise), the
 * service code names the purpose, which must be granted to it (403), the optional dossier and officer headers must
 * be well formed (400), and the consumer must be within its rate and quota (429). Any refusal, here or in the
 * handler, is audited before the answer leaves; successful calls are audited by the registry service, which waits
 * for the record's commit before returning.
 */
@Injectable()
export class RegistryAccessInterceptor implements NestInterceptor {
  constructor(
    private readonly consumers: ConsumerDirectory,
    private readonly catalog: ServiceCatalog,
    private readonly limits: ConsumerLimits,
    private readonly hmac: CitizenHmac,
    private readonly audit: AuditWriter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithAccess>();
    request[AUDITED_BY_INTERCEPTOR] = true;
    const operation = OPERATION_BY_ROUTE[request.routeOptions.url ?? ''] ?? 'lookup';
    return from(this.run(request, operation, () => lastValueFrom(next.handle())));
  }

  private async run(request: FastifyRequest & RequestWithAccess, operation: AuditOperation, handle: () => Promise<unknown>): Promise<unknown> {
    const partial: Partial<AccessContext> & { requestId: string } = { requestId: String(request.id) };
    try {
      const access = await this.establish(request, operation, partial);
      request[ACCESS_CONTEXT] = access;
      return await handle();
    } catch (error) {
      // Not-found answers are results, audited by the registry with outcome not_found; everything else refused is
      // recorded here. The citizen is named when the path carries a valid ID number.
      if (error instanceof DomainError && !error.audited && error.status !== 404 && error.status < 500) {
        await this.audit.append(partial, [{ operation, citizen: this.citizenOf(request), fields: [], outcome: 'refused', reason: error.code }]);
      }
      throw error;
    }
  }

  private async establish(request: FastifyRequest, operation: AuditOperation, partial: Partial<AccessContext>): Promise<AccessContext> {
    const consumer = await this.consumers.byKey(bearerKey(request.headers.authorization));
    if (!consumer) throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
    partial.consumer = consumer;

    const errors = [];
    const serviceCode = header(request, 'x-service-code');
    if (!serviceCode) errors.push({ field: 'header.X-Service-Code', rule: 'required', message: 'names the public service (purpose) of the call' });
    const dossierId = header(request, 'x-dossier-id') ?? null;
    if (dossierId !== null && !DOSSIER_ID_PATTERN.test(dossierId)) {
      errors.push({ field: 'header.X-Dossier-Id', rule: 'format', message: 'must be 1-64 characters of A-Z a-z 0-9 _ . / : -' });
    } else if (dossierId !== null && /\d{12}/.test(dossierId)) {
      // Dossier ids are stored and shown in clear; a 12-digit run there would be a personal ID number.
      errors.push({ field: 'header.X-Dossier-Id', rule: 'personal_id_number', message: 'must not contain a 12-digit personal ID number' });
    }
    const officerId = header(request, 'x-officer-id') ?? null;
    if (officerId !== null) {
      for (const violation of validateIdNumber(officerId.slice(0, 64))) errors.push({ field: 'header.X-Officer-Id', rule: violation.rule, message: violation.message });
    }
    if (errors.length > 0) throw new ValidationFailedError(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    partial.dossierId = dossierId;
    partial.officer = officerId ? this.hmac.pseudonym(officerId) : null;

    const service = await this.catalog.purpose(serviceCode!);
    // Recorded even when refused, so that the audit filter by service finds attempts at services not granted. A code
    // outside the catalog is not recorded: the header is free text, and the audit keeps nothing unchecked in clear.
    if (service) partial.service = service;
    if (!service || !consumer.serviceCodes.has(service.code)) {
      throw new ForbiddenError('service_not_granted', `Service ${JSON.stringify(serviceCode!.slice(0, 40))} is not granted to this consumer${service ? '' : ' (it is not in the catalog)'}.`);
    }
    this.limits.take(consumer, citizensAskedAbout(request, operation));
    return partial as AccessContext;
  }

  /** The citizen a refused call was about: the ID number of the path, or of a single verify's body, when valid. */
  private citizenOf(request: FastifyRequest): { hmac: string; masked: string } | null {
    const idNumber = (request.params as { idNumber?: unknown } | undefined)?.idNumber ?? (request.body as { idNumber?: unknown } | undefined)?.idNumber;
    return this.hmac.pseudonymIfValid(idNumber);
  }
}
