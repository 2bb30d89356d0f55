import { describe, expect, it } from '@jest/globals';
import { cookieValue, SESSION_TTL_MS, SessionSeal, sessionCookie, type DashboardSession } from './dashboard-session.js';

const SESSION: DashboardSession = { role: 'manager', key: 'manager-key-0000000000000000000000', expiresAt: Date.now() + SESSION_TTL_MS };

describe('dashboard session cookies', () => {
  it('open what they sealed, without showing the key', () => {
    const seal = new SessionSeal('admin-key-00000000000000000000000');
    const sealed = seal.seal(SESSION);
    expect(sealed).not.toContain(SESSION.key);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('manager');
    expect(seal.open(sealed)).toEqual(SESSION);
  });

  it('refuse a changed cookie, one of another secret, an expired one and garbage', () => {
    const seal = new SessionSeal('admin-key-00000000000000000000000');
    const sealed = Buffer.from(seal.seal(SESSION), 'base64url');
    sealed[sealed.length - 1] ^= 1;
    expect(seal.open(sealed.toString('base64url'))).toBeNull();
    expect(new SessionSeal('another-admin-key-000000000000000').open(seal.seal(SESSION))).toBeNull();
    expect(seal.open(seal.seal(SESSION), SESSION.expiresAt)).toBeNull();
    expect(seal.open('not-a-cookie')).toBeNull();
    expect(seal.open(undefined)).toBeNull();
    // Without ADMIN_API_KEY each process seals with its own random key.
    expect(new SessionSeal(null).open(new SessionSeal(null).seal(SESSION))).toBeNull();
  });

  it('are HttpOnly and SameSite=Strict, Secure only behind https, and removed with Max-Age=0', () => {
    expect(sessionCookie('v', false)).toBe(`popgate_dashboard=v; Max-Age=${SESSION_TTL_MS / 1000}; Path=/; HttpOnly; SameSite=Strict`);
    expect(sessionCookie('v', true)).toMatch(/; Secure$/);
    expect(sessionCookie(null, false)).toBe('popgate_dashboard=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
    expect(cookieValue('a=1; popgate_dashboard=xyz; b=2', 'popgate_dashboard')).toBe('xyz');
    expect(cookieValue('popgate_dashboardx=1', 'popgate_dashboard')).toBeUndefined();
  });
});
