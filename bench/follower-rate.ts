import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type pg from 'pg';
import { SystemConsumers } from '../src/access/system-consumers.service.js';
import { AppModule } from '../src/app.module.js';
import { DossierRepository } from '../src/portal/dossier.repository.js';
import { toNewDossier } from '../src/portal/dossiers.service.js';
import { FOLLOWER_SERVICE_CODE, RecordsFollowerService } from '../src/portal/records-follower.service.js';
import { RegistryCalls } from '../src/registry/registry-calls.service.js';
import { RegistryEventsService } from '../src/registry/registry-events.service.js';

export interface FollowerFigures {
  events: number;
  refused: number;
  pageSize: number;
  readSeconds: number;
  readEventsPerSecond: number;
  applySeconds: number;
  applyEventsPerSecond: number;
  recordsTouched: number;
  dossiersFlagged: number;
}

/**
 * The follower's figure of `npm run bench:sync`. In an application context of its own (no HTTP listener, no queue
 * workers, the follower's timer off), with the cursor first at the feed's head:
 * 1. records `count` events of citizens the service holds records of, through RegistryEventsService (as POST
 *    /sandbox/registry/events does): permanent and temporary moves, deaths, divorces and new cards, in turn; each
 *    citizen who dies has an open dossier, which the follower's page flags for review;
 * 2. reads those events from the feed alone, page by page through the in-process entry point, as the follower
 *    reads them (the portal consumer under the follower's purpose: gated, audited, journaled), twice, the faster
 *    of the two being the floor;
 * 3. lets the follower apply them (RecordsFollowerService.step until the head: each step reads a page and applies it
 *    with its cursor in one transaction).
 */
export async function measureFollower(env: Record<string, string>, pool: pg.Pool, count: number, serviceCode: string): Promise<FollowerFigures> {
  Object.assign(process.env, env, { FOLLOWER_ENABLED: 'false' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ workers: false }), { logger: ['error', 'warn'] });
  try {
    const follower = app.get(RecordsFollowerService);
    const registry = app.get(RegistryCalls);
    const events = app.get(RegistryEventsService);
    const pageSize = Number(process.env.FOLLOWER_PAGE_SIZE ?? 1000);
    // The cursor at the head: whatever the feed held before is applied first.
    for (let step = await follower.step(pageSize); step.kind !== 'idle'; step = await follower.step(pageSize)) {
      if (step.kind === 'read_failed') throw new Error(`the follower could not read the feed: ${step.code}`);
    }
    const from = (await follower.lag()).cursor;

    const { rows: people } = await pool.query<{ idNumber: string; married: boolean; fullName: string; dateOfBirth: string; sex: 'male' | 'female' }>(
      `SELECT c.id_number AS "idNumber", c.marital_status = 'married' AS married, c.full_name AS "fullName", c.date_of_birth AS "dateOfBirth", c.sex
       FROM citizens c WHERE c.status = 'alive' AND EXISTS (SELECT 1 FROM portal_records p WHERE p.service_code = $1 AND p.id_number = c.id_number)
       ORDER BY md5(c.id_number || $3) LIMIT $2`,
      [serviceCode, count, from],
    );
    const { rows: communes } = await pool.query<{ code: string }>(`SELECT DISTINCT permanent_commune_code::text AS code FROM citizens WHERE permanent_commune_code IS NOT NULL LIMIT 200`);
    let refused = 0;
    let next = 0;
    const bodyOf = (index: number) => {
      const { idNumber, married } = people[index];
      const address = { detail: `Số ${index % 300} ngõ ${index % 97} phố Thử`, communeCode: communes[index % communes.length].code };
      switch (index % 5) {
        case 0:
          return { kind: 'move', idNumber, residence: 'permanent', address };
        case 1:
          return { kind: 'move', idNumber, residence: 'temporary', address };
        case 2:
          return { kind: 'death', idNumber, date: '2026-11-20' };
        case 3:
          return married ? { kind: 'divorce', idNumber } : { kind: 'move', idNumber, residence: 'temporary', address };
        default:
          return { kind: 'new_card', idNumber };
      }
    };
    // Every citizen who dies has an open dossier (filed, not yet decided), which the follower flags for review.
    const dying = people.filter((_, index) => index % 5 === 2);
    const dossiers = app.get(DossierRepository);
    for (let start = 0; start < dying.length; start += 5_000) {
      await dossiers.fileMany(dying.slice(start, start + 5_000).map(({ idNumber, fullName, dateOfBirth, sex }) => toNewDossier({ serviceCode, applicant: { idNumber, fullName, dateOfBirth, sex } }, 'bench:follower', null, '0'.repeat(64), null)));
    }
    const recordStarted = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let index = next++; index < people.length; index = next++) {
          await events.record(bodyOf(index)).catch(() => (refused += 1));
          if (index % 5_000 === 4_999) process.stdout.write(`  recorded ${index + 1} / ${people.length} events\n`);
        }
      }),
    );
    console.log(`  ${people.length - refused} events recorded in ${((performance.now() - recordStarted) / 1000).toFixed(1)} s (${refused} refused by the registry's rules)`);

    const caller = { consumerId: app.get(SystemConsumers).portalConsumer(), serviceCode: FOLLOWER_SERVICE_CODE, jobId: 'bench:follower-read' };
    const readAll = async (): Promise<{ events: number; seconds: number }> => {
      const started = performance.now();
      let total = 0;
      for (let cursor = from; ; ) {
        const outcome = await registry.changes({ ...caller, requestId: `bench-${randomBytes(9).toString('base64url')}` }, cursor, pageSize);
        if (outcome.kind !== 'ok') throw new Error(`reading the feed: ${outcome.code}`);
        total += outcome.value.events.length;
        cursor = outcome.value.nextCursor;
        if (!outcome.value.hasMore) break;
      }
      return { events: total, seconds: (performance.now() - started) / 1000 };
    };
    const reads = [await readAll(), await readAll()];
    const read = reads.reduce((best, r) => (r.seconds < best.seconds ? r : best));

    const applyStarted = performance.now();
    let applied = 0;
    let records = 0;
    let flagged = 0;
    for (let step = await follower.step(pageSize); step.kind !== 'idle'; step = await follower.step(pageSize)) {
      if (step.kind === 'applied') {
        applied += step.events;
        records += step.records;
        flagged += step.dossiersFlagged;
      } else if (step.kind === 'read_failed') throw new Error(`the follower could not read the feed: ${step.code}`);
    }
    const applySeconds = (performance.now() - applyStarted) / 1000;
    if (applied !== read.events) throw new Error(`the follower applied ${applied} events, the feed held ${read.events}`);
    return {
      events: applied,
      refused,
      pageSize,
      readSeconds: Number(read.seconds.toFixed(3)),
      readEventsPerSecond: Math.round(read.events / read.seconds),
      applySeconds: Number(applySeconds.toFixed(3)),
      applyEventsPerSecond: Math.round(applied / applySeconds),
      recordsTouched: records,
      dossiersFlagged: flagged,
    };
  } finally {
    await app.close();
  }
}
