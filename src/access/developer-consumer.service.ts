import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { generateApiKey, hashApiKey, keyPrefixOf } from './api-key.js';
import { ConsumerDirectory } from './consumer-directory.service.js';
import { ConsumerEntity } from './consumer.entity.js';

/**
 * The sandbox developer consumer (state, every catalog service), so that the quick start can call the registry at
 * once. With SANDBOX_DEVELOPER_KEY its key is that value; without it, a key is generated and printed the first time
 * and kept (as a hash) after that. Its grants follow the catalog: reset to every service on each start, and a
 * service added through the portal API is granted to it in the same transaction. So do the grants of the consumers
 * developers registered themselves (POST /sandbox/developers), which were granted every service too.
 */
@Injectable()
export class DeveloperConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeveloperConsumer');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly catalog: ServiceCatalog,
    private readonly directory: ConsumerDirectory,
  ) {
    catalog.whenServiceAdded(async (code, manager) => {
      await manager.query(
        `UPDATE consumers SET service_codes = array_append(service_codes, $1) WHERE (is_developer OR self_service) AND NOT ($1 = ANY (service_codes))`,
        [code],
      );
      return () => this.directory.invalidate();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const repository = this.dataSource.getRepository(ConsumerEntity);
    const serviceCodes = this.catalog.allCodes().sort();
    const configuredKey = this.config.access.developerKey;
    await this.dataSource.query(`UPDATE consumers SET service_codes = $1 WHERE self_service AND service_codes <> $1`, [serviceCodes]);
    const existing = await repository.findOneBy({ isDeveloper: true });
    if (existing) {
      const update: Partial<ConsumerEntity> = { serviceCodes };
      if (configuredKey && existing.keyHash !== hashApiKey(configuredKey)) {
        Object.assign(update, { keyHash: hashApiKey(configuredKey), keyPrefix: keyPrefixOf(configuredKey), keyIssuedAt: new Date(), keyRevokedAt: null });
      }
      await repository.update({ consumerId: existing.consumerId }, update);
      this.directory.invalidate();
      return;
    }
    const key = configuredKey ?? generateApiKey();
    try {
      await repository.insert({
        name: 'Sandbox developer',
        kind: 'state',
        serviceCodes,
        keyHash: hashApiKey(key),
        keyPrefix: keyPrefixOf(key),
        keyIssuedAt: new Date(),
        isDeveloper: true,
      });
    } catch (error) {
      // The API and a worker starting together may both try; the unique index lets exactly one win.
      if ((error as { code?: string }).code === '23505') return;
      throw error;
    }
    if (!configuredKey && this.config.nodeEnv !== 'test') {
      process.stdout.write(`\npopgate: created the sandbox developer consumer; its API key (shown once) is:\n  ${key}\n\n`);
      this.logger.log('created the sandbox developer consumer');
    }
  }
}
