import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The dashboard's session cookie. */
export const SESSION_COOKIE = 'popgate_dashboard';

/** How long a sign-in lasts: a working day. */
export const SESSION_TTL_MS = 8 * 3_600_000;

/** Who signed in: the key's holder as the sign-in found it (the key itself is checked again on every API call). */
export type DashboardRole = { role: 'admin' } | { role: 'manager' } | { role: 'consumer'; consumerId: string; consumerName: string };

/** What a session cookie holds once opened. */
export type DashboardSession = DashboardRole & { key: string; expiresAt: number };

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals and opens session cookies with AES-256-GCM: the cookie carries the key the manager signed in with, encrypted
 * and authenticated, with its expiry. Nothing is kept server-side, so every API replica opens the cookies of the
 * others when they share the secret (ADMIN_API_KEY). The page's script never sees the key: the cookie is HttpOnly,
 * and the server puts the key back into `Authorization` for the page's own reads (DashboardService).
 */
export class SessionSeal {
  private readonly key: Buffer;

  /** `secret`: ADMIN_API_KEY, or null for a random key that lasts as long as the process (as a generated admin key does). */
  constructor(secret: string | null) {
    // HKDF so that the cookie key is not the admin key itself, and a later second use of the secret cannot collide.
    this.key = Buffer.from(hkdfSync('sha256', secret ?? randomBytes(32), 'popgate', 'dashboard-session-v1', 32));
  }

  seal(session: DashboardSession): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The session of a cookie value, or null when it was not sealed here, was changed, or has expired. */
  open(value: string | undefined, now = Date.now()): DashboardSession | null {
    if (!value || value.length > 4096) return null;
    const sealed = Buffer.from(value, 'base64url');
    if (sealed.length <= IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const body = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      const session = JSON.parse(body) as DashboardSession;
      return typeof session.expiresAt === 'number' && session.expiresAt > now && typeof session.key === 'string' ? session : null;
    } catch {
      return null;
    }
  }
}

/** The value of one cookie in a Cookie header (RFC 6265: `name=value` pairs separated by `; `). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const equals = pair.indexOf('=');
    if (equals > 0 && pair.slice(0, equals).trim() === name) return pair.slice(equals + 1).trim();
  }
  return undefined;
}

/**
 * The Set-Cookie of a session (or, with value null, of its removal): HttpOnly so that no script reads it,
 * SameSite=Strict so that no other site's page sends it, Secure when the page came over https, Path=/ because the
 * page's reads go to /coverage/v1.
 */
export function sessionCookie(value: string | null, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];
  if (value === null) return [`${SESSION_COOKIE}=`, 'Max-Age=0', ...attributes].join('; ');
  return [`${SESSION_COOKIE}=${value}`, `Max-Age=${SESSION_TTL_MS / 1000}`, ...attributes].join('; ');
}
