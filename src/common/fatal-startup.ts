import { ConfigError } from '../config/app-config.js';
import { ServiceUnavailableError } from './domain-error.js';

/**
 * Ends a command-line entry (API, worker, migrate, seed) that failed to start. Expected failures, an invalid
 * environment or a service that cannot be reached, print one line saying what to do; anything else prints its stack.
 */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError || error instanceof ServiceUnavailableError) {
    process.stderr.write(error.message.startsWith('popgate:') ? `${error.message}\n` : `popgate: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  process.stderr.write(`popgate: failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
