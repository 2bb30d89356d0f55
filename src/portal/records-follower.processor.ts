import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RecordsFollowerService, type FollowStep } from './records-follower.service.js';

/**
 * Session-level advisory-lock key of the follower: one process at a time follows the feed. The lock lives on a
 * connection of its own (not one of the pool's), held for as long as the process follows; it goes when the process
 * or its connection dies, and another process takes over at its next try. Correctness does not rest on the lock
 * alone: a page is applied only from the cursor value it was read from (RecordsFollowerRepository.applyPage).
 */
export const FOLLOWER_LOCK_KEY = 0x0f01_1095;

/** How long a transient failure (Postgres, the registry) makes the follower wait when the registry gave no Retry-After. */
const FAILURE_WAIT_MS = 1_000;

/**
 * Runs the changes follower in worker processes (and the API unless WORKERS_IN_API=false): a loop that takes the
 * follower's lock, then steps (RecordsFollowerService.step) at once while the feed has more, and every
 * FOLLOWER_POLL_MS at its head. A process without the lock tries again every FOLLOWER_POLL_MS. On shutdown the step
 * in flight finishes (its page commits or rolls back as a whole), then the lock's connection closes.
 */
@Injectable()
export class RecordsFollowerProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RecordsFollower');
  private lock: pg.Client | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly follower: RecordsFollowerService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.follower.enabled) this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.release();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let waitMs = this.config.follower.pollMs;
      try {
        if (await this.acquire()) waitMs = this.waitAfter(await this.follower.step());
      } catch (error) {
        this.logger.warn(`changes follower: ${(error as Error).message}; trying again in ${FAILURE_WAIT_MS} ms`);
        waitMs = FAILURE_WAIT_MS;
      }
      if (waitMs > 0) await this.sleep(waitMs);
    }
  }

  private waitAfter(step: FollowStep): number {
    switch (step.kind) {
      case 'applied':
        // A page another follower applied first (advanced false) is read again from the moved cursor at once.
        return step.hasMore || !step.advanced ? 0 : this.config.follower.pollMs;
      case 'new_feed':
        return 0;
      case 'idle':
        return this.config.follower.pollMs;
      case 'read_failed':
        this.logger.warn(`changes follower: the registry answered ${step.code}`);
        return step.retryAfterMs ?? (step.transient ? FAILURE_WAIT_MS : this.config.follower.pollMs);
    }
  }

  /** Takes the lock if no process holds it; true while this process holds it. */
  private async acquire(): Promise<boolean> {
    if (this.lock) return true;
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: `popgate-follower-lock-${process.pid}` });
    // A dropped connection drops the lock with it: forget it, and try to take the lock again on the next round.
    client.on('error', () => {
      if (this.lock === client) this.lock = null;
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [FOLLOWER_LOCK_KEY]);
      if (rows[0].locked && !this.stopping) {
        this.lock = client;
        return true;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    await client.end().catch(() => undefined);
    return false;
  }

  private async release(): Promise<void> {
    const client = this.lock;
    this.lock = null;
    await client?.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
