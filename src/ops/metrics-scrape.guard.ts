import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminKey } from '../access/admin-key.service.js';
import { bearerKey, digestsEqual, hashApiKey } from '../access/api-key.js';
import { ConsumerDirectory } from '../access/consumer-directory.service.js';
import { ForbiddenError, UnauthorizedError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * Who may scrape GET /ops/metrics: the admin key, or the scrape-only METRICS_TOKEN, so that Prometheus's
 * configuration never holds a key that changes anything. The token opens this endpoint alone: every other guard
 * knows only the admin and consumer keys, so it is an unknown key (401) anywhere else. A consumer key gets 403
 * `admin_required`, as on every `/ops` endpoint. Used by the API's controller and by a worker's metrics listener.
 */
@Injectable()
export class MetricsScrapeGuard implements CanActivate {
  /** Only the token's hash is kept, as for the admin key. */
  private readonly tokenHash: string | undefined;

  constructor(
    private readonly adminKey: AdminKey,
    private readonly consumers: ConsumerDirectory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.tokenHash = config.metrics.token === undefined ? undefined : hashApiKey(config.metrics.token);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authorize(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    return true;
  }

  /** Resolves when `authorization` may scrape; throws the 401 or 403 to answer otherwise. */
  async authorize(authorization: string | string[] | undefined): Promise<void> {
    const key = bearerKey(authorization);
    const keyHash = hashApiKey(key);
    if (this.adminKey.matches(keyHash)) return;
    if (this.tokenHash !== undefined && digestsEqual(keyHash, this.tokenHash)) return;
    if (await this.consumers.byKey(key)) throw new ForbiddenError('admin_required', 'This endpoint needs the admin key or METRICS_TOKEN; a consumer key cannot use it.');
    throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
  }
}
