import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { AUDITED_BY_INTERCEPTOR, type AccessContext, type RequestWithAccess } from '../access/access-context.js';
import { bearerKey } from '../access/api-key.js';
import { AuditWriter } from '../access/audit-writer.service.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { ConsumerDirectory } from '../access/consumer-directory.service.js';
import { DOSSIER_ID_PATTERN, header, OPERATION_BY_ROUTE } from './registry-access.interceptor.js';

/**
 * Audits the registry calls refused before RegistryAccessInterceptor could take them in hand: Fastify refuses a body
 * that is not JSON, too large or of another type while parsing it, before any handler runs. Those are refused calls
 * too, and every refused registry call leaves a record: who (when the key is valid), for which catalog service and
 * dossier, about which citizen (a valid ID number in the path), and the problem code.
 */
@Injectable()
export class RefusalAudit {
  constructor(
    private readonly consumers: ConsumerDirectory,
    private readonly catalog: ServiceCatalog,
    private readonly hmac: CitizenHmac,
    private readonly audit: AuditWriter,
  ) {}

  /**
   * Records the refusal when the request is a purpose-bound registry call that nothing audited yet. Rejects when the
   * record cannot be written, so that the caller answers with that failure (503) rather than unaudited.
   */
  async recordIfUnaudited(request: FastifyRequest & RequestWithAccess, code: string): Promise<void> {
    const operation = OPERATION_BY_ROUTE[request.routeOptions?.url ?? ''];
    if (!operation || request[AUDITED_BY_INTERCEPTOR]) return;
    const context: Partial<AccessContext> & { requestId: string } = { requestId: String(request.id) };
    context.consumer = (await this.knownConsumer(request)) ?? undefined;
    const serviceCode = header(request, 'x-service-code');
    context.service = serviceCode ? await this.catalog.purpose(serviceCode) : undefined;
    const dossierId = header(request, 'x-dossier-id');
    context.dossierId = dossierId && DOSSIER_ID_PATTERN.test(dossierId) && !/\d{12}/.test(dossierId) ? dossierId : null;
    context.officer = this.hmac.pseudonymIfValid(header(request, 'x-officer-id'));
    const citizen = this.hmac.pseudonymIfValid((request.params as { idNumber?: unknown } | undefined)?.idNumber);
    await this.audit.append(context, [{ operation, citizen, fields: [], outcome: 'refused', reason: code }]);
  }

  private async knownConsumer(request: FastifyRequest) {
    let key: string;
    try {
      key = bearerKey(request.headers.authorization);
    } catch {
      return null; // no key, or a malformed one: recorded without a consumer, as the interceptor does
    }
    return this.consumers.byKey(key);
  }
}
