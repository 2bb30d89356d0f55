import type { CallRecord } from './call-record.js';
import type { ConsumerIdentity } from './consumer-directory.service.js';
import type { ServicePurpose } from '../catalog/service-catalog.service.js';

/**
 * Who is calling the registry and why, as established by the AccessGate from the call's key (or consumer) and
 * purpose (over HTTP: `Authorization`, `X-Service-Code`, `X-Dossier-Id`, `X-Officer-Id`). Every audit record is made of it.
 */
export interface AccessContext {
  requestId: string;
  consumer: ConsumerIdentity;
  service: ServicePurpose;
  dossierId: string | null;
  /** The officer's own ID number, pseudonymised. */
  officer: { hmac: string; masked: string } | null;
}

/** What is known of a call so far: all of AccessContext once admitted, part of it when the gate refused it. */
export type KnownCall = Partial<AccessContext> & { requestId: string };

/** Where the interceptor leaves the call's record on the Fastify request. */
export const CALL_RECORD = Symbol('popgate.callRecord');

/** When the gateway received the request (epoch ms with a fraction), set by its first hook. */
export const RECEIVED_AT = Symbol('popgate.receivedAt');

/** Set by RegistryAccessInterceptor when it takes a call in hand: from then on, it audits the call's refusals. */
export const AUDITED_BY_INTERCEPTOR = Symbol('popgate.auditedByInterceptor');

export type RequestWithAccess = { [CALL_RECORD]?: CallRecord; [AUDITED_BY_INTERCEPTOR]?: true; [RECEIVED_AT]?: number };
