import { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../common/domain-error.js';
import { redactUrl } from '../database/database-bootstrap.js';

export const START_REDIS_HINT =
  'start it with `docker compose -f docker/compose.yml up -d redis`, or on a Debian host ' +
  '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379`';

/** Raised when Redis cannot be reached; the message names the URL and how to start the service. */
export class RedisUnreachableError extends ServiceUnavailableError {
  constructor(url: string, cause: unknown) {
    super(`cannot reach Redis at ${redactUrl(url)} (${(cause as Error)?.message ?? cause}); ${START_REDIS_HINT}`, [], { cause });
  }
}

/**
 * A connection for the HTTP side: it fails fast instead of queueing commands while Redis is down
 * (`enableOfflineQueue: false`), so a request gets a 503 at once rather than hanging.
 */
export function createRedisConnection(url: string): Redis {
  let connectedOnce = false;
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    // The first connection is not retried, so a wrong URL fails at start with the real cause (ECONNREFUSED...);
    // after that, reconnect with backoff through Redis restarts.
    retryStrategy: (attempt) => (connectedOnce ? Math.min(attempt * 200, 2_000) : null),
  });
  redis.once('ready', () => {
    connectedOnce = true;
  });
  return redis;
}

/** Connects and pings once; throws RedisUnreachableError naming the URL when Redis does not answer. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = createRedisConnection(url);
  // Errors are reported by connect()/ping() and by readiness checks; without a listener ioredis prints each one.
  let lastError: unknown;
  redis.on('error', (error) => {
    lastError = error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new RedisUnreachableError(url, lastError ?? error);
  }
}
