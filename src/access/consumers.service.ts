import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/domain-error.js';
import { parseInput } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { AddressLimits } from './address-limits.service.js';
import { generateApiKey, hashApiKey, keyPrefixOf } from './api-key.js';
import { ConsumerDirectory } from './consumer-directory.service.js';
import { ConsumerEntity } from './consumer.entity.js';
import { consumerIdSchema, consumerInputSchema, NO_USAGE, toConsumerView, type ConsumerInput, type ConsumerView, type ConsumerWithKey, type UsageToday } from './consumer.dto.js';
import { developerInputSchema, toDeveloperRegistration, type DeveloperRegistration } from './developer-registration.dto.js';

/**
 * Operators' management of consumers and their keys, and developers' self-service registration. A key is shown
 * once, when issued; only its SHA-256 and first characters are stored. Every change drops ConsumerDirectory's cache,
 * so a rotated or revoked key stops working in this process at once (in other API processes within
 * ConsumerDirectory.CACHE_MS).
 */
@Injectable()
export class ConsumersService {
  private readonly repository: Repository<ConsumerEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: ServiceCatalog,
    private readonly directory: ConsumerDirectory,
    private readonly addresses: AddressLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.repository = dataSource.getRepository(ConsumerEntity);
  }

  async create(body: unknown): Promise<ConsumerWithKey> {
    // Read from the database rather than the catalog's in-memory copy, which may lag another process's change.
    const knownServices = new Set((await this.catalog.list()).map((service) => service.code));
    return this.insertWithKey(parseInput(consumerInputSchema((code) => knownServices.has(code)), body));
  }

  /**
   * POST /sandbox/developers: a state consumer of the developer's own, granted every catalog service (as the shared
   * sandbox developer consumer is, and kept so: see SystemConsumers), with the default limits. No key is needed,
   * so every attempt from `clientAddress` counts against its hourly limit, before the body is even read. A name
   * taken (by any consumer) gets 409 without the holder's id: that is for operators, who can rotate its key.
   */
  async registerDeveloper(body: unknown, clientAddress: string): Promise<DeveloperRegistration> {
    if (!this.config.sandbox.selfService.enabled) {
      throw new ForbiddenError('self_service_disabled', 'Self-service registration is switched off here (SANDBOX_SELF_SERVICE=false): ask the operator for a consumer.');
    }
    this.addresses.takeRegistration(clientAddress);
    const { name } = parseInput(developerInputSchema, body);
    const serviceCodes = (await this.catalog.list()).map((service) => service.code).sort();
    try {
      const { consumer, apiKey } = await this.insertWithKey({ name, kind: 'state', serviceCodes, rateLimitPerSecond: null, dailyQuota: null, selfService: true });
      return toDeveloperRegistration(consumer, apiKey);
    } catch (error) {
      if (!(error instanceof ConflictError && error.code === 'consumer_exists')) throw error;
      throw new ConflictError('consumer_exists', `A consumer named ${JSON.stringify(name)} exists already; choose another name.`, error.errors);
    }
  }

  private async insertWithKey(input: ConsumerInput & { selfService?: boolean }): Promise<ConsumerWithKey> {
    const apiKey = generateApiKey();
    let identifiers;
    try {
      ({ identifiers } = await this.repository.insert({ ...input, keyHash: hashApiKey(apiKey), keyPrefix: keyPrefixOf(apiKey), keyIssuedAt: new Date() }));
    } catch (error) {
      if ((error as { constraint?: string }).constraint !== 'uq_consumers_name') throw error;
      // Decided by the unique index, so two racing creates (a retry, say) cannot both win.
      const [existing] = await this.dataSource.query<{ consumer_id: string }[]>(`SELECT consumer_id FROM consumers WHERE lower(name) = lower($1)`, [input.name]);
      throw new ConflictError(
        'consumer_exists',
        `A consumer named ${JSON.stringify(input.name)} exists already (${existing?.consumer_id}); rotate its key to get a new one.`,
        [{ field: 'name', rule: 'unique', message: 'is the name of another consumer (case aside)' }],
        { consumerId: existing?.consumer_id },
      );
    }
    // Unknown keys are cached as unknown too, so even a brand-new key needs the cache dropped.
    this.directory.invalidate();
    return { consumer: toConsumerView(await this.load(identifiers[0].consumerId as string), NO_USAGE), apiKey };
  }

  async list(): Promise<ConsumerView[]> {
    const [consumers, usage] = await Promise.all([this.repository.find({ order: { createdAt: 'ASC', consumerId: 'ASC' } }), this.usageToday()]);
    return consumers.map((consumer) => toConsumerView(consumer, usage.get(consumer.consumerId)));
  }

  async get(id: string): Promise<ConsumerView> {
    const consumer = await this.load(parseInput(consumerIdSchema, id, 'consumerId'));
    return toConsumerView(consumer, (await this.usageToday(consumer.consumerId)).get(consumer.consumerId));
  }

  /** Issues a new key; the old one stops working. Also restores access to a consumer whose key was revoked. */
  async rotateKey(id: string): Promise<ConsumerWithKey> {
    const consumerId = parseInput(consumerIdSchema, id, 'consumerId');
    const apiKey = generateApiKey();
    const result = await this.repository.update({ consumerId }, { keyHash: hashApiKey(apiKey), keyPrefix: keyPrefixOf(apiKey), keyIssuedAt: new Date(), keyRevokedAt: null });
    if (!result.affected) throw notFound(consumerId);
    this.directory.invalidate();
    return { consumer: await this.get(consumerId), apiKey };
  }

  /**
   * Revokes the consumer's key. Idempotent: revoking a revoked key changes nothing (the first revocation time
   * stays), so an operator's retry after a lost answer is safe.
   */
  async revokeKey(id: string): Promise<void> {
    const consumerId = parseInput(consumerIdSchema, id, 'consumerId');
    const result = await this.repository
      .createQueryBuilder()
      .update()
      .set({ keyHash: null, keyRevokedAt: () => 'coalesce(key_revoked_at, now())' })
      .where('consumer_id = :consumerId', { consumerId })
      .execute();
    if (!result.affected) throw notFound(consumerId);
    this.directory.invalidate();
  }

  private async load(consumerId: string): Promise<ConsumerEntity> {
    const consumer = await this.repository.findOneBy({ consumerId });
    if (!consumer) throw notFound(consumerId);
    return consumer;
  }

  /**
   * Today's (UTC) audited calls per consumer: of one consumer, or of all. One grouped query over the audit, which
   * has no index on time: for one consumer it reads that consumer's rows through idx_access_audit_consumer; for all,
   * it scans the table.
   */
  private async usageToday(consumerId?: string): Promise<Map<string, UsageToday>> {
    const rows: { consumer_id: string; calls: number; not_found: number; refused: number }[] = await this.dataSource.query(
      `SELECT consumer_id,
              count(*)::int AS calls,
              count(*) FILTER (WHERE outcome = 'not_found')::int AS not_found,
              count(*) FILTER (WHERE outcome = 'refused')::int AS refused
         FROM access_audit
        WHERE occurred_at >= date_trunc('day', now(), 'UTC')
          AND ${consumerId === undefined ? 'consumer_id IS NOT NULL' : 'consumer_id = $1'}
        GROUP BY consumer_id`,
      consumerId === undefined ? [] : [consumerId],
    );
    return new Map(rows.map((row) => [row.consumer_id, { calls: row.calls, notFound: row.not_found, refused: row.refused }]));
  }
}

function notFound(consumerId: string): NotFoundError {
  return new NotFoundError('consumer_not_found', `No consumer has the id ${consumerId}.`);
}
