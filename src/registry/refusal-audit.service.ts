import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AUDITED_BY_INTERCEPTOR, type RequestWithAccess } from '../access/access-context.js';
import { AccessGate } from '../access/access-gate.service.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { gateCallOf, OPERATION_BY_ROUTE } from './registry-access.interceptor.js';

/**
 * Audits the registry calls refused before RegistryAccessInterceptor could take them in hand: Fastify refuses a body
 * that is not JSON, too large or of another type while parsing it, before any handler runs. Those are refused calls
 * too, and every refused registry call leaves a record: who (when the key is valid), for which catalog service and
 * dossier, about which citizen (a valid ID number in the path), and the problem code.
 */
@Injectable()
export class RefusalAudit {
  constructor(
    private readonly gate: AccessGate,
    private readonly hmac: CitizenHmac,
  ) {}

  /**
   * Records the refusal when the request is a purpose-bound registry call that nothing audited yet. Rejects when the
   * record cannot be written, so that the caller answers with that failure (503) rather than unaudited.
   */
  async recordIfUnaudited(request: FastifyRequest & RequestWithAccess, code: string): Promise<void> {
    const operation = OPERATION_BY_ROUTE[request.routeOptions?.url ?? ''];
    if (!operation || request[AUDITED_BY_INTERCEPTOR]) return;
    const known = await this.gate.describe(gateCallOf(request, operation));
    const citizen = this.hmac.pseudonymIfValid((request.params as { idNumber?: unknown } | undefined)?.idNumber);
    await this.gate.recordRefusal(known, operation, citizen, code);
  }
}
