import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { digestsEqual, generateApiKey, hashApiKey } from './api-key.js';

/**
 * The operators' key. From ADMIN_API_KEY, or generated at start and printed once, so that the one-command quick
 * start works; a generated key lasts as long as the process. Only its hash is kept in memory.
 */
@Injectable()
export class AdminKey {
  private readonly hash: string;
  private readonly logger = new Logger('AdminKey');

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const key = config.access.adminApiKey ?? generateApiKey();
    this.hash = hashApiKey(key);
    if (!config.access.adminApiKey && config.nodeEnv !== 'test') {
      process.stdout.write(`\npopgate: ADMIN_API_KEY is not set; this process's admin key is:\n  ${key}\n\n`);
      this.logger.warn('generated an admin key for this process (set ADMIN_API_KEY to keep one)');
    }
  }

  matches(keyHash: string): boolean {
    return digestsEqual(keyHash, this.hash);
  }
}
