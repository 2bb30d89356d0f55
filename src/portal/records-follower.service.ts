import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SystemConsumers } from '../access/system-consumers.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RegistryCalls, type InProcessCaller } from '../registry/registry-calls.service.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { RecordsFollowerRepository, type AppliedPage } from './records-follower.repository.js';

/** The follower's row in portal_follower_cursor. */
export const RECORDS_FOLLOWER = 'portal-records';

/**
 * The purpose the follower reads the feed under (config/public-services.json): a catalog service of its own whose
 * allow-list is the feed's fields, granted to the portal consumer like every service (SystemConsumers).
 */
export const FOLLOWER_SERVICE_CODE = 'PORTAL-FEED';

/** What the message says when a registry reset made the follower start again; logged once per reset. */
export const FOLLOWER_RESTART_MESSAGE = 'registry reset: follower restarted from the new feed';

/** What one step of the follower did. */
export type FollowStep =
  | ({ kind: 'applied'; hasMore: boolean } & AppliedPage)
  /** At the feed's head: nothing to read. */
  | { kind: 'idle' }
  /** A registry reset was seen: the cursor is back at the new feed's start (`restarted` false: by another process). */
  | { kind: 'new_feed'; restarted: boolean }
  /** The registry refused or failed the read; `retryAfterMs` when it said how long to wait. */
  | { kind: 'read_failed'; code: string; transient: boolean; retryAfterMs: number | null };

/** The follower's lag behind the feed: events not applied yet, and how long the oldest of them has waited. */
export interface FollowerLag {
  follower: string;
  /** The last change id applied (`0`: none yet of the current feed). */
  cursor: string;
  eventsBehind: number;
  /** Seconds since the oldest event not applied yet was recorded; 0 at the head. */
  secondsBehind: number;
  /** Registry resets after which the follower started again from the new feed. */
  restarts: number;
  /** When the cursor last moved (or was created); null before the follower's first run. */
  updatedAt: string | null;
}

/**
 * The changes follower of portal records, one step at a time: read a page of the registry's changes feed from the
 * stored cursor, through the registry's in-process entry point as the portal consumer under the follower's own
 * purpose (so each read is gated, audited and journaled), then apply it to the portal records in one transaction
 * with the cursor's advance (RecordsFollowerRepository). After a registry reset (a new dataset epoch) it starts
 * again from the new feed. RecordsFollowerProcessor runs the steps in the one process that holds the follower's lock.
 */
@Injectable()
export class RecordsFollowerService {
  private readonly logger = new Logger('RecordsFollower');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RecordsFollowerRepository,
    private readonly registry: RegistryCalls,
    private readonly registryRepository: RegistryRepository,
    private readonly system: SystemConsumers,
  ) {}

  async step(pageSize = this.config.follower.pageSize): Promise<FollowStep> {
    const { cursor, currentEpoch } = await this.repository.position(RECORDS_FOLLOWER);
    if (cursor.datasetEpoch !== currentEpoch) {
      const restarted = await this.repository.restartFromNewFeed(RECORDS_FOLLOWER, cursor, currentEpoch);
      if (restarted) this.logger.warn(FOLLOWER_RESTART_MESSAGE);
      return { kind: 'new_feed', restarted };
    }
    // At the head, a poll asks whether there is anything to read before it reads: an empty page read through the gate
    // would still leave an audit record and a journal row, one per poll (86,400 a day at the default interval).
    if (!(await this.registryRepository.hasChangesAfter(cursor.lastChangeId))) return { kind: 'idle' };
    const outcome = await this.registry.changes(this.caller(), cursor.lastChangeId, pageSize);
    if (outcome.kind !== 'ok') {
      return { kind: 'read_failed', code: outcome.code, transient: outcome.kind === 'transient', retryAfterMs: outcome.kind === 'transient' ? outcome.retryAfterMs : null };
    }
    const page = outcome.value;
    if (page.events.length === 0) return { kind: 'idle' };
    const applied = await this.repository.applyPage(RECORDS_FOLLOWER, cursor, page.events, page.nextCursor);
    return { kind: 'applied', hasMore: page.hasMore, ...applied };
  }

  /** The lag, from Postgres: every process answers the same. Before a restart is applied, a new feed counts from its start. */
  async lag(): Promise<FollowerLag> {
    const [cursor, epoch] = await Promise.all([this.repository.cursor(RECORDS_FOLLOWER), this.registryRepository.datasetEpoch()]);
    const from = cursor && cursor.datasetEpoch === epoch ? cursor.lastChangeId : '0';
    const position = await this.registryRepository.feedPosition(from);
    const secondsBehind = position.oldestUnreadRecordedAt ? Math.max(0, (Date.now() - position.oldestUnreadRecordedAt.getTime()) / 1000) : 0;
    return {
      follower: RECORDS_FOLLOWER,
      cursor: from,
      eventsBehind: position.behind,
      secondsBehind: Math.round(secondsBehind * 1000) / 1000,
      restarts: cursor?.restarts ?? 0,
      updatedAt: cursor ? cursor.updatedAt.toISOString() : null,
    };
  }

  private caller(): InProcessCaller {
    return {
      consumerId: this.system.portalConsumer(),
      serviceCode: FOLLOWER_SERVICE_CODE,
      requestId: `follower-${randomBytes(12).toString('base64url')}`,
      jobId: `follower:${RECORDS_FOLLOWER}`,
    };
  }
}
