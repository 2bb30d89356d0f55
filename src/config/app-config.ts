import { z } from 'zod';
import { datasetCitizensSchema, datasetSeedSchema } from './dataset-spec.js';

/**
 * An origin as a browser sends it in `Origin`: scheme, lower-case host, the port only when not the default, and
 * nothing after. Origins are compared as strings, so one written any other way would never match.
 */
function isSerializedOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry;
  } catch {
    return false;
  }
}

/**
 * `*` (any origin), or a comma-separated list of origins; empty allows none. Problems name the entry by position,
 * not by value, as every other problem here does.
 */
const corsAllowedOrigins = z
  .string()
  .default('*')
  .transform((value, context): '*' | string[] => {
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.length === 1 && entries[0] === '*') return '*';
    if (entries.length === 1 && entries[0] === '') return [];
    entries.forEach((entry, index) => {
      if (entry === '*') context.addIssue({ code: 'custom', message: '`*` must stand alone (it allows every origin)' });
      else if (!isSerializedOrigin(entry)) {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} must be an origin as browsers send it: http(s)://host[:port], lower-case, no default port, no path or trailing slash`,
        });
      }
    });
    return entries;
  });

/**
 * The thresholds of a service's computed coverage status (README, "Coverage"), as JSON in COVERAGE_THRESHOLDS; each
 * property may be left out for its default.
 */
export const coverageThresholdsSchema = z.strictObject({
  /** Fewer calls than this in the period that the service answered or failed (client errors and simulated faults aside): `no_traffic`. */
  minCalls: z.number().int().min(1).max(1_000_000_000).default(1),
  /** A success rate (answered calls over answered and failed ones, src/coverage/call-figures.ts) below this: `degraded`. */
  minSuccessRate: z.number().min(0).max(1).default(0.95),
  /** A p95 latency above this (ms): `degraded`. */
  maxP95LatencyMs: z.number().positive().max(600_000).default(2_000),
});
export type CoverageThresholds = z.output<typeof coverageThresholdsSchema>;

const coverageThresholds = z
  .string()
  .default('{}')
  .transform((value, context): CoverageThresholds => {
    let document: unknown;
    try {
      document = JSON.parse(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object (minCalls, minSuccessRate, maxP95LatencyMs)' });
      return z.NEVER;
    }
    const parsed = coverageThresholdsSchema.safeParse(document);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(document)'}: ${issue.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });

/**
 * Environment schema: the only place that reads process.env. Every variable is documented in `.env.example`.
 * Validated once at boot; every problem is listed, and values are never echoed (a URL may hold a password).
 */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' }).default('postgres://postgres@127.0.0.1:5432/popgate'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed of the synthetic dataset; the same seed gives the same citizens, row for row. */
  SANDBOX_SEED: datasetSeedSchema.default('popgate'),
  SANDBOX_CITIZENS: z.coerce.number().pipe(datasetCitizensSchema).default(20_000),
  /** Seed an empty registry on start (the quick start relies on it); tests and benchmarks seed explicitly. */
  SANDBOX_SEED_ON_START: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Postgres on a small machine serves more with few backends: 10 beat 20 on 2 cores (docs/BENCHMARKS.md). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Run the queue processors inside the API process too, so one command gives a working sandbox. */
  WORKERS_IN_API: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Admin key for /portal writes, /access, /sandbox changes and /ops. Generated and printed at start when unset. */
  ADMIN_API_KEY: z.string().regex(/^[\w.~-]{24,128}$/, { message: 'must be 24-128 characters of A-Z a-z 0-9 _ . ~ -' }).optional(),
  /** Key of the sandbox developer consumer (state, every service). Generated and printed on first start when unset. */
  SANDBOX_DEVELOPER_KEY: z.string().regex(/^[\w.~-]{24,128}$/, { message: 'must be 24-128 characters of A-Z a-z 0-9 _ . ~ -' }).optional(),
  /** Default per-consumer limits (a consumer may have its own): requests per second, and registry calls per UTC day. */
  ACCESS_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(100),
  ACCESS_DAILY_QUOTA: z.coerce.number().int().min(1).max(1_000_000_000).default(100_000),
  /**
   * Registry calls per second from one client address, counted before the key is looked up (AddressLimits), and the
   * burst an address may send at once (default: two seconds' worth).
   */
  ACCESS_ADDRESS_LIMIT_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  ACCESS_ADDRESS_BURST: z.coerce.number().int().min(1).max(10_000_000).optional(),
  /** POST /sandbox/developers: a developer registers a consumer of their own, without a key; so many an hour per address. */
  SANDBOX_SELF_SERVICE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  SANDBOX_SELF_SERVICE_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(10),
  /** Days of the call journal kept (whole days, Vietnam time); older days are dropped. The audit is never dropped. */
  JOURNAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Origins whose pages may call popgate from a browser (CORS); see the README's Configuration section. */
  CORS_ALLOWED_ORIGINS: corsAllowedOrigins,
  /** Prefix of every BullMQ key in Redis; tests use their own. */
  QUEUE_PREFIX: z.string().regex(/^[\w-]{1,40}$/).default('popgate'),
  /** Key of the portal's own consumer (dossiers, verification jobs). Generated and printed on first start when unset. */
  PORTAL_API_KEY: z.string().regex(/^[\w.~-]{24,128}$/, { message: 'must be 24-128 characters of A-Z a-z 0-9 _ . ~ -' }).optional(),
  /** The portal consumer's own limits, sized for its jobs rather than for one outside developer. */
  PORTAL_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  PORTAL_DAILY_QUOTA: z.coerce.number().int().min(1).max(1_000_000_000).default(50_000_000),
  /** The first retry delay of a verification job after a transient registry failure; each next one doubles, with jitter. */
  VERIFICATION_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** The longest a registry's Retry-After (a 429, a 503) holds a verification job before its next run. */
  VERIFICATION_MAX_WAIT_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  /** Verification jobs one worker process runs at once. */
  VERIFICATION_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(32),
  /** On SIGTERM, how long a worker lets its active jobs finish before it exits (they are taken over after the stall interval). */
  WORKER_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** A job whose worker stopped renewing its lock for this long is taken over by another worker (BullMQ lockDuration and stalledInterval). */
  WORKER_STALLED_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** How often the outbox reconciler re-enqueues filed dossiers whose job Redis does not hold. */
  OUTBOX_RECONCILE_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /**
   * Whether this process's workers may follow the registry's changes feed into the portal records (one process follows
   * at a time, under a lock): `false` keeps a process out of it, as the tests do except the follower's own.
   */
  FOLLOWER_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** How long the changes follower of portal records waits before polling the feed again when it is at its head. */
  FOLLOWER_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1_000),
  /** Events the follower reads and applies per page (the feed gives 1,000 at most). */
  FOLLOWER_PAGE_SIZE: z.coerce.number().int().min(1).max(1_000).default(1_000),
  /** Records per batch of a sync run: one verify-batch call each, so at most the registry's 1,000 items. */
  SYNC_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(500),
  /** Sync batches one worker process runs at once. */
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /** Look-ups one sync batch has in flight at once (the fields verify cannot compare). */
  SYNC_LOOKUP_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** The longest a sync run waits on the portal consumer's rate limit or daily quota before it stops with that reason. */
  SYNC_MAX_WAIT_MS: z.coerce.number().int().min(10).max(86_400_000).default(900_000),
  /** How often the sync reconciler re-queues the batches of running runs whose job Redis does not hold. */
  SYNC_RECONCILE_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /**
   * Per service, the finished sync runs whose per-record results (their discrepancy lists) are kept: older runs keep
   * their counts and lose their lists. A daily run over a million records adds a million result rows a day.
   */
  SYNC_RESULTS_KEEP_RUNS: z.coerce.number().int().min(1).max(10_000).default(10),
  /**
   * The lock of a sync batch's job (BullMQ lockDuration): a batch (hundreds of records, a look-up each) holds it far
   * longer than a verification job, so a renewal late under load must not hand it to a second worker; a dead
   * worker's batch is taken over once it expires.
   */
  SYNC_LOCK_MS: z.coerce.number().int().min(500).max(3_600_000).default(120_000),
  /**
   * How long after an hour ends its journal rollup waits: a journal row is written when its call ends, with the time
   * the call was received, so it may land in its hour up to the longest call later (60 s, the longest latency a fault
   * profile simulates) plus its commit. The minimum, 90 s, keeps a margin above that; the default is 5 minutes.
   */
  ROLLUP_GRACE_MS: z.coerce.number().int().min(90_000, { message: 'must be at least 90000 (longer than the journal commit lag: 60 s of simulated latency plus the commit)' }).max(86_400_000).default(300_000),
  /** Read-only key for managers (GET /coverage/v1/*), as a Bearer token or the password of HTTP Basic; none when unset. */
  MANAGER_API_KEY: z.string().regex(/^[\w.~-]{24,128}$/, { message: 'must be 24-128 characters of A-Z a-z 0-9 _ . ~ -' }).optional(),
  COVERAGE_THRESHOLDS: coverageThresholds,
  /**
   * A scrape-only token: `Authorization: Bearer <METRICS_TOKEN>` opens GET /ops/metrics and nothing else, so that
   * Prometheus never holds the admin key. Unset: only the admin key scrapes.
   */
  METRICS_TOKEN: z.string().regex(/^[\w.~-]{24,128}$/, { message: 'must be 24-128 characters of A-Z a-z 0-9 _ . ~ -' }).optional(),
  /** A worker process (worker.ts) serves GET /ops/metrics on this port (on HOST); unset, a worker has no listener. */
  METRICS_PORT: z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).optional(),
}).superRefine((env, context) => {
  // A token equal to the admin key would make every scrape configuration an admin credential.
  if (env.METRICS_TOKEN !== undefined && env.METRICS_TOKEN === env.ADMIN_API_KEY) {
    context.addIssue({ code: 'custom', path: ['METRICS_TOKEN'], message: 'must differ from ADMIN_API_KEY (it is a scrape-only token)' });
  }
  // The managers' read-only key must be a key of its own: equal to the admin key it would be the operator's, equal to
  // the scrape token it would let Prometheus's configuration read the coverage tables.
  if (env.MANAGER_API_KEY !== undefined && (env.MANAGER_API_KEY === env.ADMIN_API_KEY || env.MANAGER_API_KEY === env.METRICS_TOKEN)) {
    context.addIssue({ code: 'custom', path: ['MANAGER_API_KEY'], message: 'must differ from ADMIN_API_KEY and METRICS_TOKEN (it is the managers\' read-only key)' });
  }
});

export type AppConfig = {
  nodeEnv: 'development' | 'test' | 'production';
  databaseUrl: string;
  redisUrl: string;
  port: number;
  host: string;
  logLevel: string;
  sandbox: {
    seed: string;
    citizens: number;
    seedOnStart: boolean;
    /** POST /sandbox/developers: whether it is open, and how many registrations an address may make an hour. */
    selfService: { enabled: boolean; perHourPerAddress: number };
  };
  databasePoolSize: number;
  workersInApi: boolean;
  queuePrefix: string;
  journal: { retentionDays: number };
  access: {
    adminApiKey?: string;
    developerKey?: string;
    rateLimitPerSecond: number;
    dailyQuota: number;
    /** Registry calls per client address, before authentication: a token bucket of `burst` refilled at `perSecond`. */
    addressLimit: { perSecond: number; burst: number };
  };
  /** `*` for any origin, or the exact origins allowed (none when empty). */
  cors: { allowedOrigins: '*' | string[] };
  portal: { apiKey?: string; rateLimitPerSecond: number; dailyQuota: number; outboxReconcileMs: number; verificationBackoffMs: number; verificationMaxWaitMs: number };
  workers: { verificationConcurrency: number; graceMs: number; stalledMs: number };
  follower: { enabled: boolean; pollMs: number; pageSize: number };
  sync: { batchSize: number; concurrency: number; lookupConcurrency: number; maxWaitMs: number; reconcileMs: number; lockMs: number; resultsKeepRuns: number };
  /** GET /ops/metrics: the scrape-only token, and the port of a worker's metrics listener (none when unset). */
  metrics: { token?: string; workerPort?: number };
  coverage: { rollupGraceMs: number; managerApiKey?: string; thresholds: CoverageThresholds };
};

/** Raised when the environment is invalid; `problems` names each variable and rule, without its value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`popgate: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses an environment (process.env by default) into typed config, or throws ConfigError listing every problem. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = environmentSchema.safeParse(environment);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = result.data;
  return {
    nodeEnv: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    sandbox: {
      seed: env.SANDBOX_SEED,
      citizens: env.SANDBOX_CITIZENS,
      seedOnStart: env.SANDBOX_SEED_ON_START,
      selfService: { enabled: env.SANDBOX_SELF_SERVICE, perHourPerAddress: env.SANDBOX_SELF_SERVICE_PER_HOUR },
    },
    databasePoolSize: env.DATABASE_POOL_SIZE,
    workersInApi: env.WORKERS_IN_API,
    queuePrefix: env.QUEUE_PREFIX,
    journal: { retentionDays: env.JOURNAL_RETENTION_DAYS },
    access: {
      adminApiKey: env.ADMIN_API_KEY,
      developerKey: env.SANDBOX_DEVELOPER_KEY,
      rateLimitPerSecond: env.ACCESS_RATE_LIMIT_PER_SECOND,
      dailyQuota: env.ACCESS_DAILY_QUOTA,
      addressLimit: { perSecond: env.ACCESS_ADDRESS_LIMIT_PER_SECOND, burst: env.ACCESS_ADDRESS_BURST ?? 2 * env.ACCESS_ADDRESS_LIMIT_PER_SECOND },
    },
    cors: { allowedOrigins: env.CORS_ALLOWED_ORIGINS },
    portal: {
      apiKey: env.PORTAL_API_KEY,
      rateLimitPerSecond: env.PORTAL_RATE_LIMIT_PER_SECOND,
      dailyQuota: env.PORTAL_DAILY_QUOTA,
      outboxReconcileMs: env.OUTBOX_RECONCILE_MS,
      verificationBackoffMs: env.VERIFICATION_BACKOFF_MS,
      verificationMaxWaitMs: env.VERIFICATION_MAX_WAIT_MS,
    },
    workers: { verificationConcurrency: env.VERIFICATION_CONCURRENCY, graceMs: env.WORKER_GRACE_MS, stalledMs: env.WORKER_STALLED_MS },
    follower: { enabled: env.FOLLOWER_ENABLED, pollMs: env.FOLLOWER_POLL_MS, pageSize: env.FOLLOWER_PAGE_SIZE },
    sync: {
      batchSize: env.SYNC_BATCH_SIZE,
      concurrency: env.SYNC_CONCURRENCY,
      lookupConcurrency: env.SYNC_LOOKUP_CONCURRENCY,
      maxWaitMs: env.SYNC_MAX_WAIT_MS,
      reconcileMs: env.SYNC_RECONCILE_MS,
      lockMs: env.SYNC_LOCK_MS,
      resultsKeepRuns: env.SYNC_RESULTS_KEEP_RUNS,
    },
    metrics: { token: env.METRICS_TOKEN, workerPort: env.METRICS_PORT },
    coverage: { rollupGraceMs: env.ROLLUP_GRACE_MS, managerApiKey: env.MANAGER_API_KEY, thresholds: env.COVERAGE_THRESHOLDS },
  };
}

/** Injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
