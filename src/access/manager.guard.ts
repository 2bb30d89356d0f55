import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ForbiddenError, UnauthorizedError } from '../common/domain-error.js';
import { AdminKey } from './admin-key.service.js';
import { digestsEqual, hashApiKey } from './api-key.js';
import { ConsumerDirectory } from './consumer-directory.service.js';

/**
 * The key of `Authorization: Bearer <key>` or `Authorization: Basic` (any user name, the key as the password: what a
 * browser's sign-in prompt sends, since a browser sends no bearer header), or null.
 */
export function offeredKey(authorization: string | undefined): string | null {
  const [scheme, credentials] = (authorization ?? '').trim().split(/\s+/, 2);
  if (!credentials) return null;
  if (/^bearer$/i.test(scheme)) return credentials;
  if (!/^basic$/i.test(scheme)) return null;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/** Who holds the key of a request that ManagerOrAnyKeyGuard let through: the operator, a manager, or one consumer. */
export type ReaderKeyHolder = { kind: 'admin' } | { kind: 'manager' } | { kind: 'consumer'; consumerId: string; consumerName: string };

/**
 * Whose key is offered to the reads that managers may make: the admin key, MANAGER_API_KEY, or a consumer's key.
 * Keys are compared by their hash; only the manager key's hash is kept. One place for the two guards below and the
 * dashboard's sign-in, so that the coverage tables, the readiness reports and the dashboard know the same keys.
 */
@Injectable()
export class ReaderKeys {
  private readonly managerKeyHash: string | null;

  constructor(
    private readonly adminKey: AdminKey,
    private readonly consumers: ConsumerDirectory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.managerKeyHash = config.coverage.managerApiKey ? hashApiKey(config.coverage.managerApiKey) : null;
  }

  /** The holder of `key`, or null when nobody holds it (or it has been revoked). */
  async holderOf(key: string): Promise<ReaderKeyHolder | null> {
    const hash = hashApiKey(key);
    if (this.adminKey.matches(hash)) return { kind: 'admin' };
    if (this.managerKeyHash !== null && digestsEqual(hash, this.managerKeyHash)) return { kind: 'manager' };
    const consumer = /^[\w.~-]{24,128}$/.test(key) ? await this.consumers.byKey(key) : null;
    return consumer ? { kind: 'consumer', consumerId: consumer.consumerId, consumerName: consumer.name } : null;
  }
}

/**
 * Managers' reads (coverage): the admin key or MANAGER_API_KEY, read-only by the routes it guards, either as a
 * Bearer token or as the password of HTTP Basic. A consumer's key gets 403 (known, not allowed), anything else 401
 * with `WWW-Authenticate: Basic` so that a browser asks.
 */
@Injectable()
export class ManagerGuard implements CanActivate {
  constructor(private readonly keys: ReaderKeys) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // Every 401 asks for Basic credentials, so that a browser prompts again after a wrong password.
    const challenge = () => void context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>().header('www-authenticate', 'Basic realm="popgate coverage"');
    const key = offeredKey(request.headers.authorization);
    if (key === null) {
      challenge();
      throw new UnauthorizedError('missing_credentials', 'Send the admin key or MANAGER_API_KEY as `Authorization: Bearer <key>` or as the password of HTTP Basic.');
    }
    const holder = await this.keys.holderOf(key);
    if (holder?.kind === 'admin' || holder?.kind === 'manager') return true;
    if (holder?.kind === 'consumer') throw new ForbiddenError('manager_key_required', 'This endpoint needs the admin key or MANAGER_API_KEY; a consumer key cannot use it.');
    challenge();
    throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
  }
}

const READER_KEY_HOLDER = Symbol('popgate.readerKeyHolder');

/**
 * Reads that managers share with consumers (a consumer's go-live readiness): the admin key, MANAGER_API_KEY, or a
 * consumer's key, each as a Bearer token or the password of HTTP Basic; the route decides what each may read
 * (@Reader()). Anything else is 401. A separate guard, not a third kind of AnyKeyGuard's KeyHolder: the routes that
 * take any key (and AdminGuard, which refuses only consumers) must never take the manager's read-only key for the
 * operator's.
 */
@Injectable()
export class ManagerOrAnyKeyGuard implements CanActivate {
  constructor(private readonly keys: ReaderKeys) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { [READER_KEY_HOLDER]?: ReaderKeyHolder }>();
    const key = offeredKey(request.headers.authorization);
    if (key === null) throw new UnauthorizedError('missing_credentials', 'Send a key as `Authorization: Bearer <key>` or as the password of HTTP Basic.');
    const holder = await this.keys.holderOf(key);
    if (!holder) throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
    request[READER_KEY_HOLDER] = holder;
    return true;
  }
}

/** The ReaderKeyHolder that ManagerOrAnyKeyGuard established for this request. */
export const Reader = createParamDecorator((_: unknown, context: ExecutionContext): ReaderKeyHolder => {
  const holder = context.switchToHttp().getRequest<{ [READER_KEY_HOLDER]?: ReaderKeyHolder }>()[READER_KEY_HOLDER];
  if (!holder) throw new Error('@Reader() used on a route without ManagerOrAnyKeyGuard');
  return holder;
});
