import type { FieldError } from '../common/domain-error.js';
import { containsPopgateKey } from '../common/logger.js';
import { validateIdNumber } from '../identity/id-number.js';

/**
 * The rules for the values that say what a registry call is for and who asks, in one place: the access gate
 * applies them to every call (HTTP or in-process), and the audit filters and request-id handling reuse them.
 */

/** What a portal dossier id may look like. */
export const DOSSIER_ID_PATTERN = /^[\w./:-]{1,64}$/;
export const DOSSIER_ID_RULE = 'must be 1-64 characters of A-Z a-z 0-9 _ . / : -';

/** An incoming request id is kept only when it is a short token, so it cannot inject into logs or headers. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_RULE = 'must be 1-128 characters of A-Z a-z 0-9 . _ : -, without a 12-digit run or a key';

/** Dossier ids are stored and shown in clear; a 12-digit run there would be a personal ID number. */
function holdsIdNumber(value: string): boolean {
  return /\d{12}/.test(value);
}

/** The problems of a dossier id, under `field` (empty when it is acceptable). */
export function dossierIdProblems(value: string, field: string): FieldError[] {
  if (!DOSSIER_ID_PATTERN.test(value)) return [{ field, rule: 'format', message: DOSSIER_ID_RULE }];
  if (holdsIdNumber(value)) return [{ field, rule: 'personal_id_number', message: 'must not contain a 12-digit personal ID number' }];
  return [];
}

/** The problems of an officer's ID number, under `field`: the ID-number rules (only its first 64 characters are read). */
export function officerIdProblems(value: string, field: string): FieldError[] {
  return validateIdNumber(value.slice(0, 64)).map((violation) => ({ field, rule: violation.rule, message: violation.message }));
}

/**
 * The client's request id when it may be kept: a short token without a 12-digit run (which could be someone's ID
 * number) and not shaped like a key (someone's key): request ids are logged, audited and journaled. Otherwise
 * undefined, and the caller makes one.
 */
export function acceptedRequestId(incoming: unknown): string | undefined {
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) && !holdsIdNumber(incoming) && !containsPopgateKey(incoming) ? incoming : undefined;
}
