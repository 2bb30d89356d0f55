import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { generateApiKey, hashApiKey, keyPrefixOf } from './api-key.js';
import { ConsumerDirectory } from './consumer-directory.service.js';
import { ConsumerEntity } from './consumer.entity.js';

/** One of the consumers popgate keeps for itself, told apart by a flag that a unique index allows on one row. */
interface SystemConsumer {
  flag: 'isDeveloper' | 'isPortal';
  name: string;
  /** The variable that sets its key, for the message printed when a key is generated. */
  keyVariable: string;
  configuredKey: string | undefined;
  rateLimitPerSecond: number | null;
  dailyQuota: number | null;
}

/**
 * The consumers popgate keeps for itself, both state consumers granted every catalog service:
 * - the sandbox developer consumer, so that the quick start can call the registry at once;
 * - the portal's own consumer, which files dossiers and as which the portal's jobs call the registry, with limits
 *   of its own (PORTAL_RATE_LIMIT_PER_SECOND, PORTAL_DAILY_QUOTA) sized for its jobs.
 * With its variable set (SANDBOX_DEVELOPER_KEY, PORTAL_API_KEY) a consumer's key is that value; without, a key is
 * generated and printed the first time and kept (as a hash) after that. Grants follow the catalog: reset to every
 * service on each start, and a service added through the portal API is granted in the same transaction. So do the
 * grants of the consumers developers registered themselves (POST /sandbox/developers), granted every service too.
 */
@Injectable()
export class SystemConsumers implements OnApplicationBootstrap {
  private readonly logger = new Logger('SystemConsumers');
  private portalConsumerId: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly catalog: ServiceCatalog,
    private readonly directory: ConsumerDirectory,
  ) {
    catalog.whenServiceAdded(async (code, manager) => {
      await manager.query(
        `UPDATE consumers SET service_codes = array_append(service_codes, $1) WHERE (is_developer OR is_portal OR self_service) AND NOT ($1 = ANY (service_codes))`,
        [code],
      );
      return () => this.directory.invalidate();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const serviceCodes = this.catalog.allCodes().sort();
    await this.dataSource.query(`UPDATE consumers SET service_codes = $1 WHERE self_service AND service_codes <> $1`, [serviceCodes]);
    await this.ensure(serviceCodes, {
      flag: 'isDeveloper',
      name: 'Sandbox developer',
      keyVariable: 'SANDBOX_DEVELOPER_KEY',
      configuredKey: this.config.access.developerKey,
      rateLimitPerSecond: null,
      dailyQuota: null,
    });
    this.portalConsumerId = await this.ensure(serviceCodes, {
      flag: 'isPortal',
      name: 'City portal (dossier verification)',
      keyVariable: 'PORTAL_API_KEY',
      configuredKey: this.config.portal.apiKey,
      rateLimitPerSecond: this.config.portal.rateLimitPerSecond,
      dailyQuota: this.config.portal.dailyQuota,
    });
    this.directory.invalidate();
  }

  /** The portal consumer's id, once the application has started. */
  portalConsumer(): string {
    if (!this.portalConsumerId) throw new Error('the portal consumer is not known before the application has started');
    return this.portalConsumerId;
  }

  /** Creates the consumer or brings its grants, limits and key up to date; returns its id. */
  private async ensure(serviceCodes: string[], wanted: SystemConsumer): Promise<string> {
    const repository = this.dataSource.getRepository(ConsumerEntity);
    const limits = { rateLimitPerSecond: wanted.rateLimitPerSecond, dailyQuota: wanted.dailyQuota };
    const existing = await repository.findOneBy({ [wanted.flag]: true });
    if (existing) {
      const update: Partial<ConsumerEntity> = { serviceCodes, ...limits };
      const key = wanted.configuredKey;
      if (key && existing.keyHash !== hashApiKey(key)) {
        Object.assign(update, { keyHash: hashApiKey(key), keyPrefix: keyPrefixOf(key), keyIssuedAt: new Date(), keyRevokedAt: null });
      }
      await repository.update({ consumerId: existing.consumerId }, update);
      return existing.consumerId;
    }
    const key = wanted.configuredKey ?? generateApiKey();
    try {
      await repository.insert({
        name: wanted.name,
        kind: 'state',
        serviceCodes,
        keyHash: hashApiKey(key),
        keyPrefix: keyPrefixOf(key),
        keyIssuedAt: new Date(),
        [wanted.flag]: true,
        ...limits,
      });
    } catch (error) {
      // The API and a worker starting together may both try; the unique index lets exactly one win.
      if ((error as { code?: string }).code !== '23505') throw error;
      return (await this.existingId(repository, wanted))!;
    }
    if (!wanted.configuredKey && this.config.nodeEnv !== 'test') {
      process.stdout.write(`\npopgate: created the consumer "${wanted.name}"; its API key (shown once; set ${wanted.keyVariable} to choose it) is:\n  ${key}\n\n`);
      this.logger.log(`created the consumer "${wanted.name}"`);
    }
    return (await this.existingId(repository, wanted))!;
  }

  private async existingId(repository: Repository<ConsumerEntity>, wanted: SystemConsumer): Promise<string | undefined> {
    return (await repository.findOne({ select: { consumerId: true }, where: { [wanted.flag]: true } }))?.consumerId;
  }
}
