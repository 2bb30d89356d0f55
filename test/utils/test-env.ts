/**
 * Environment of every integration and e2e test: a database of its own (created and migrated by global-setup.ts),
 * no seeding on start (tests seed what they need), quiet logs. An outer DATABASE_URL_TEST or REDIS_URL wins.
 */
process.env.DATABASE_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/popgate_test';
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.SANDBOX_SEED_ON_START = 'false';
process.env.LOG_LEVEL ??= 'silent';
process.env.NODE_ENV = 'test';
// Each test run gets its own BullMQ keys, so runs never see each other's jobs.
process.env.QUEUE_PREFIX ??= `popgate-test-${process.pid}`;

// Known keys, so tests can call as the operator and as the sandbox developer consumer (see test-app.ts).
process.env.ADMIN_API_KEY ??= 'test-admin-key-000000000000000000';
process.env.SANDBOX_DEVELOPER_KEY ??= 'test-developer-key-0000000000000000';
process.env.PORTAL_API_KEY ??= 'test-portal-key-000000000000000000000';
// Verification retries back off from one second: tests wait for them, so the outbox is reconciled often too.
process.env.OUTBOX_RECONCILE_MS ??= '1000';
process.env.VERIFICATION_BACKOFF_MS ??= '100';
process.env.VERIFICATION_MAX_WAIT_MS ??= '200';
// Limits high enough that only tests about limits meet them (they create their own consumers).
process.env.ACCESS_RATE_LIMIT_PER_SECOND ??= '100000';
process.env.ACCESS_DAILY_QUOTA ??= '100000000';
// Every supertest call comes from 127.0.0.1: only the tests about the address limit (with an app of their own) meet it.
process.env.ACCESS_ADDRESS_LIMIT_PER_SECOND ??= '1000000';
process.env.SANDBOX_SELF_SERVICE_PER_HOUR ??= '1000000';
// The changes follower would read the feed (audited, journaled) in every app with workers: only its own tests run it.
process.env.FOLLOWER_ENABLED ??= 'false';

export {};
