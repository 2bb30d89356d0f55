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
