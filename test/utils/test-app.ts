import './test-env.js';
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createLogger } from '../../src/common/logger.js';
import { pgPoolOf } from '../../src/database/database-bootstrap.js';
import { createGatewayApp } from '../../src/gateway-app.js';
import { RegistrySeeder, type SeedResult } from '../../src/registry/seeding/registry-seeder.js';

/** The dataset e2e tests share: small, fixed seed and fixed "today", so every run sees the same citizens. */
export const TEST_DATASET = { seed: 'e2e', citizens: 2_000, referenceDate: '2026-11-28' } as const;

/** The real gateway (Fastify, filters, OpenAPI) on the test database, ready for supertest. */
export async function createTestApp(): Promise<NestFastifyApplication> {
  const app = await createGatewayApp(createLogger(process.env.LOG_LEVEL ?? 'silent'));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Loads TEST_DATASET (or another) into the test database, replacing what is there. */
export async function seedTestDataset(app: NestFastifyApplication, options: Partial<typeof TEST_DATASET> = {}): Promise<SeedResult> {
  return new RegistrySeeder(pgPoolOf(app.get(DataSource))).reset({ ...TEST_DATASET, ...options });
}

/** Polls `check` until it passes or `timeoutMs` runs out; never a fixed sleep. */
export async function expectEventually(check: () => Promise<void> | void, timeoutMs = 5_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** `Authorization` header of the operator (admin key of the test environment). */
export const ADMIN_AUTH = { authorization: `Bearer ${process.env.ADMIN_API_KEY}` };

/** `Authorization` header of the sandbox developer consumer (state, every catalog service). */
export const DEVELOPER_AUTH = { authorization: `Bearer ${process.env.SANDBOX_DEVELOPER_KEY}` };
