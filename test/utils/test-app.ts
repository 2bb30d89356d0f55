import './test-env.js';
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll } from '@jest/globals';
import { DataSource } from 'typeorm';
export { expectEventually } from './expect-eventually.js';
import { createLogger } from '../../src/common/logger.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { pgPoolOf } from '../../src/database/database-bootstrap.js';
import { createGatewayApp, openApiDocument } from '../../src/gateway-app.js';
import { recordAnswers, recordSupertestAnswers } from './openapi-conformance.js';
import { RegistrySeeder, type SeedResult } from '../../src/sandbox/seeding/registry-seeder.js';

// Every answer a test receives through supertest is checked against the OpenAPI document after the run.
recordSupertestAnswers(request.Test);

/** The dataset e2e tests share: small, fixed seed and fixed "today", so every run sees the same citizens. */
export const TEST_DATASET = { seed: 'e2e', citizens: 2_000, referenceDate: '2026-11-28' } as const;

/**
 * The real gateway (Fastify, filters, OpenAPI) on the test database, ready for supertest. A test about what is
 * logged passes a logger of its own (createLogger with a destination it reads); one about the HTTP layer's settings
 * (the CORS policy) passes a config of its own.
 */
export async function createTestApp(options: { logger?: Logger; config?: AppConfig } = {}): Promise<NestFastifyApplication> {
  const app = await createGatewayApp(options.logger ?? createLogger(process.env.LOG_LEVEL ?? 'silent'), options.config ?? loadConfig());
  recordAnswers(app, () => openApiDocument(app, 'http://localhost:3000'));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * The real gateway started under a changed environment (a low limit, a feature switched off): the variables are set
 * while the app is built, which reads its configuration once, and restored at once, so other files never see them.
 */
export async function createTestAppWithEnvironment(environment: Record<string, string>): Promise<NestFastifyApplication> {
  const saved = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, environment);
  try {
    return await createTestApp();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The app of one describe block, once its beforeAll has run. */
export interface TestAppHandle {
  readonly app: NestFastifyApplication;
  readonly db: DataSource;
  /** supertest with each area's credentials (see api()). */
  readonly http: ReturnType<typeof api>;
  /** Runs `work` after the block's tests, before the app closes (Jest runs afterAll hooks in the order given). */
  beforeClose(work: () => Promise<void>): void;
}

/**
 * Starts the real gateway before the block's tests (seeding TEST_DATASET, or `seed`, unless `seed: false`) and
 * closes it after them: the one start/seed/close block of every e2e file. Hooks registered after this call run after
 * the start, so they can use the handle; `reseedAfter` restores TEST_DATASET before closing, for a file that
 * replaces the dataset.
 */
export function useTestApp(options: { seed?: false | Partial<typeof TEST_DATASET>; reseedAfter?: boolean } = {}): TestAppHandle {
  let app: NestFastifyApplication | undefined;
  const closing: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    app = await createTestApp();
    if (options.seed !== false) await seedTestDataset(app, options.seed ?? {});
  });
  afterAll(async () => {
    // A file that changes the dataset leaves the shared one behind for the files after it.
    for (const work of closing) await work();
    if (app && options.reseedAfter) await seedTestDataset(app);
    await app?.close();
  });
  const started = (): NestFastifyApplication => {
    if (!app) throw new Error('useTestApp: the app is used before its beforeAll ran');
    return app;
  };
  return {
    get app() {
      return started();
    },
    get db() {
      return started().get(DataSource);
    },
    get http() {
      return api(started());
    },
    beforeClose(work) {
      closing.push(work);
    },
  };
}

/** Loads TEST_DATASET (or another) into the test database, replacing what is there. */
export async function seedTestDataset(app: NestFastifyApplication, options: Partial<typeof TEST_DATASET> = {}): Promise<SeedResult> {
  return new RegistrySeeder(pgPoolOf(app.get(DataSource))).reset({ ...TEST_DATASET, ...options });
}

/** `Authorization` header of the operator (admin key of the test environment). */
export const ADMIN_AUTH = { authorization: `Bearer ${process.env.ADMIN_API_KEY}` };

/** `Authorization` header of the sandbox developer consumer (state, every catalog service). */
export const DEVELOPER_AUTH = { authorization: `Bearer ${process.env.SANDBOX_DEVELOPER_KEY}` };

/** `Authorization` header of the portal's own consumer (dossiers). */
export const PORTAL_AUTH = { authorization: `Bearer ${process.env.PORTAL_API_KEY}` };

/** Headers of a registry call as the developer consumer, for the sandbox service that allows every field. */
export const REGISTRY_HEADERS = { ...DEVELOPER_AUTH, 'x-service-code': 'SANDBOX-ALL' };

/**
 * supertest on the app, with the credentials each area needs: registry calls as the developer consumer (purpose
 * SANDBOX-ALL), sandbox calls as the operator. A test about access sets its own headers, which override these.
 */
export function api(app: NestFastifyApplication) {
  const server = app.getHttpServer();
  const withCredentials = (test: request.Test, path: string): request.Test => {
    if (path.startsWith('/registry/v1/fields')) return test;
    if (path.startsWith('/registry/')) return test.set(REGISTRY_HEADERS);
    if (path.startsWith('/sandbox/')) return test.set(ADMIN_AUTH);
    if (path.startsWith('/portal/v1/dossiers') || path.startsWith('/portal/v1/quality')) return test.set(PORTAL_AUTH);
    return test;
  };
  return {
    get: (path: string) => withCredentials(request(server).get(path), path),
    post: (path: string) => withCredentials(request(server).post(path), path),
    put: (path: string) => withCredentials(request(server).put(path), path),
    delete: (path: string) => withCredentials(request(server).delete(path), path),
  };
}

/**
 * A unique X-Request-Id for a test. The gateway replaces ids holding a 12-digit run (it could be a personal ID
 * number), and a UUID's last group is all digits once in ~300 draws, so that group is left out.
 */
export function uniqueRequestId(label: string): string {
  return `${label}-${randomUUID().slice(0, 23)}-${++requestIdCounter}`;
}
let requestIdCounter = 0;
