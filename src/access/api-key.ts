import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../common/domain-error.js';

/** Keys look like `pgk_` + 43 base64url characters (256 random bits); the prefix makes a leaked key easy to spot. */
const KEY_PREFIX = 'pgk_';
const KEY_PATTERN = /^[\w.~-]{24,128}$/;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 of a key, hex. A key has 256 random bits, so a fast hash is enough: there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex'); // the one-shot hash: every registry call hashes its key
}

/** What an operator sees of a key: enough to tell keys apart, not enough to use one. */
export function keyPrefixOf(key: string): string {
  return key.slice(0, 8);
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The key of an `Authorization: Bearer <key>` header; 401 when it is missing or malformed. */
export function bearerKey(authorization: string | string[] | undefined): string {
  if (authorization === undefined || authorization === '') {
    throw new UnauthorizedError('missing_credentials', 'Send the API key as `Authorization: Bearer <key>`.');
  }
  const match = typeof authorization === 'string' ? /^Bearer ([^\s]+)$/i.exec(authorization.trim()) : null;
  if (!match || !KEY_PATTERN.test(match[1])) {
    throw new UnauthorizedError('malformed_credentials', 'The Authorization header must be `Bearer <key>` with a popgate API key.');
  }
  return match[1];
}
