import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { z } from 'zod';
import type { KeyHolder } from '../access/admin.guard.js';
import { ConsumerDirectory, type ConsumerIdentity } from '../access/consumer-directory.service.js';
import { ConsumerEntity } from '../access/consumer.entity.js';
import { ForbiddenError, NotFoundError, ValidationFailedError } from '../common/domain-error.js';
import { parseInput, safeText } from '../common/validation.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { REDIS } from '../queue/redis.module.js';
import { activeProfile, type ActiveProfile } from './active-profile.js';
import { faultProfileSchema, withSeed, type FaultProfileInput } from './fault-profile.js';
import { FaultProfileEntity } from './fault-profile.entity.js';
import { SandboxSessionEntity } from './sandbox-session.entity.js';

/** Whose profile a sandbox request is about: a consumer's own calls, or one of its sessions. */
export interface FaultOwner {
  consumer: ConsumerIdentity;
  sessionId: string | null;
}

export const sessionIdSchema = z.guid({ message: 'must be a session id (a UUID) from POST /sandbox/sessions' });

export const putFaultsSchema = z.strictObject({
  serviceCode: serviceCodeSchema.nullable().default(null).describe('One of the consumer\'s services; null or absent: all of them'),
  profile: faultProfileSchema,
});

export const createSessionSchema = z.strictObject({ label: safeText(200).trim().min(1).nullable().default(null) }).default({ label: null });

/** Redis key prefix of the fault counters, under QUEUE_PREFIX so that a run's keys stay together. */
export function faultKeyPrefix(config: AppConfig): string {
  return `${config.queuePrefix}:sandbox-faults`;
}

/** How long a session's owner is remembered by a process (a session may be ended through another one). */
const SESSION_CACHE_MS = 2_000;

/**
 * Consumers' own fault profiles and their sandbox sessions. A profile applies to the calls of its consumer, for one
 * service or all of them; on the shared developer key only to the calls of one session (X-Sandbox-Session). The
 * registry looks profiles up from memory (reloaded after each change here and every REFRESH_MS), so a call with no
 * profile in scope costs no I/O; a session id this process has not seen is checked in Postgres once.
 */
@Injectable()
export class FaultScopes implements OnModuleInit {
  static readonly REFRESH_MS = 2_000;
  private readonly logger = new Logger('FaultScopes');
  private readonly profiles: Repository<FaultProfileEntity>;
  private readonly sessions: Repository<SandboxSessionEntity>;
  /** `c:<consumerId>:<service|*>` and `s:<sessionId>:<service|*>`. */
  private active = new Map<string, ActiveProfile & { consumerId: string }>();
  private readonly sessionOwners = new Map<string, { consumerId: string | null; expiresAt: number }>();
  private loadedAt = 0;
  private reloading: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly consumers: ConsumerDirectory,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.profiles = dataSource.getRepository(FaultProfileEntity);
    this.sessions = dataSource.getRepository(SandboxSessionEntity);
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /**
   * The profile in scope of a call by `consumerId` for `serviceCode`, most specific first: the session's for the
   * service, the session's for all, the consumer's for the service, the consumer's for all. A session id that is not
   * a live session of this consumer is refused (400), so an ended session is noticed.
   */
  async profileFor(consumerId: string, sessionId: string | null, serviceCode: string): Promise<ActiveProfile | null> {
    if (Date.now() - this.loadedAt > FaultScopes.REFRESH_MS) void this.reload();
    if (sessionId !== null) {
      const bySession = this.active.get(`s:${sessionId}:${serviceCode}`) ?? this.active.get(`s:${sessionId}:*`);
      if (bySession?.consumerId !== consumerId && (await this.sessionOwner(sessionId)) !== consumerId) throw unknownSession();
      if (bySession) return bySession;
    }
    return this.active.get(`c:${consumerId}:${serviceCode}`) ?? this.active.get(`c:${consumerId}:*`) ?? null;
  }

  /** The consumer a session belongs to, or null for an unknown or ended one; cached briefly. */
  private async sessionOwner(sessionId: string): Promise<string | null> {
    if (!sessionIdSchema.safeParse(sessionId).success) return null;
    const cached = this.sessionOwners.get(sessionId);
    if (cached && cached.expiresAt > Date.now()) return cached.consumerId;
    const session = await this.sessions.findOneBy({ sessionId });
    if (this.sessionOwners.size > 10_000) this.sessionOwners.clear();
    this.sessionOwners.set(sessionId, { consumerId: session?.consumerId ?? null, expiresAt: Date.now() + SESSION_CACHE_MS });
    return session?.consumerId ?? null;
  }

  /** The consumer of a sandbox request's key: fault profiles and sessions belong to consumers, not to the operator. */
  async consumerOf(holder: KeyHolder): Promise<ConsumerIdentity> {
    const consumer = holder.kind === 'consumer' ? await this.consumers.byId(holder.consumerId) : null;
    if (!consumer) {
      throw new ForbiddenError('consumer_key_required', 'Fault profiles and sessions belong to a consumer: call with its key. Operators set a connector\'s profile with PUT /connectors/v1/{serviceCode}.');
    }
    return consumer;
  }

  /** The owner of a /sandbox/faults request: the key's consumer, or its session; on the shared developer key, a session. */
  async owner(holder: KeyHolder, sessionHeader: string | undefined): Promise<FaultOwner> {
    const consumer = await this.consumerOf(holder);
    if (sessionHeader === undefined) {
      if (await this.isShared(consumer.consumerId)) {
        const message = 'the sandbox developer key is shared: its fault profiles belong to a session (POST /sandbox/sessions)';
        throw new ValidationFailedError(`header.X-Sandbox-Session: ${message}`, [{ field: 'header.X-Sandbox-Session', rule: 'required', message }]);
      }
      return { consumer, sessionId: null };
    }
    if ((await this.sessionOwner(sessionHeader)) !== consumer.consumerId) throw unknownSession();
    return { consumer, sessionId: sessionHeader };
  }

  /** Whether a consumer's key is shared by several people (the sandbox developer consumer). */
  private async isShared(consumerId: string): Promise<boolean> {
    const consumer = await this.dataSource.getRepository(ConsumerEntity).findOne({ select: { isDeveloper: true }, where: { consumerId } });
    return consumer?.isDeveloper === true;
  }

  async list(owner: FaultOwner): Promise<FaultProfileEntity[]> {
    return this.profiles.find({ where: { consumerId: owner.consumer.consumerId, sessionId: owner.sessionId ?? IsNull() }, order: { updatedAt: 'ASC' } });
  }

  /** Creates or replaces the owner's profile for one service (granted to it) or all; its counters start again. */
  async put(owner: FaultOwner, body: unknown): Promise<FaultProfileEntity> {
    const input = parseInput(putFaultsSchema, body);
    if (input.serviceCode !== null && !owner.consumer.serviceCodes.has(input.serviceCode)) {
      throw new ForbiddenError('service_not_granted', `Service ${input.serviceCode} is not granted to this consumer, so no call of it could be faulted.`, [
        { field: 'serviceCode', rule: 'not_granted', message: 'must be one of the consumer\'s services' },
      ]);
    }
    const profile = withSeed((body as { profile: FaultProfileInput }).profile);
    const [row] = (await this.dataSource.query(
      `INSERT INTO fault_profiles (consumer_id, session_id, service_code, profile) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT ON CONSTRAINT uq_fault_profiles_scope DO UPDATE SET profile = EXCLUDED.profile, profile_version = gen_random_uuid(), updated_at = now()
       RETURNING profile_version`,
      [owner.consumer.consumerId, owner.sessionId, input.serviceCode, JSON.stringify(profile)],
    )) as { profile_version: string }[];
    await this.reload();
    return (await this.profiles.findOneBy({ profileVersion: row.profile_version }))!;
  }

  /** Removes the owner's profile for one service, or (no service) every profile of the owner. */
  async remove(owner: FaultOwner, serviceCode: string | undefined): Promise<void> {
    const code = serviceCode === undefined ? undefined : parseInput(serviceCodeSchema, serviceCode, 'query.serviceCode');
    const removed = (await this.dataSource.query(
      `DELETE FROM fault_profiles WHERE consumer_id = $1 AND session_id IS NOT DISTINCT FROM $2 AND ($3::text IS NULL OR service_code = $3) RETURNING profile_version`,
      [owner.consumer.consumerId, owner.sessionId, code ?? null],
    )) as [{ profile_version: string }[], number];
    await this.dropCounters(removed[0].map((row) => row.profile_version));
    await this.reload();
  }

  async createSession(consumer: ConsumerIdentity, body: unknown): Promise<SandboxSessionEntity> {
    const { label } = parseInput(createSessionSchema, body ?? {});
    const session = await this.sessions.save(this.sessions.create({ consumerId: consumer.consumerId, label }));
    this.sessionOwners.set(session.sessionId, { consumerId: consumer.consumerId, expiresAt: Date.now() + SESSION_CACHE_MS });
    return this.sessions.findOneByOrFail({ sessionId: session.sessionId });
  }

  /** Ends a session of the consumer, with its profiles; another consumer's session is not found. */
  async endSession(consumer: ConsumerIdentity, sessionId: string): Promise<void> {
    const id = parseInput(sessionIdSchema, sessionId, 'sessionId');
    const versions = (await this.dataSource.query(`SELECT profile_version FROM fault_profiles WHERE session_id = $1 AND consumer_id = $2`, [id, consumer.consumerId])) as { profile_version: string }[];
    const result = await this.sessions.delete({ sessionId: id, consumerId: consumer.consumerId });
    if (!result.affected) throw new NotFoundError('session_not_found', `No live session ${id} belongs to this consumer.`);
    this.sessionOwners.delete(id);
    await this.dropCounters(versions.map((row) => row.profile_version));
    await this.reload();
  }

  /** Best effort: a profile's sequence counter has no expiry, so it goes with the profile (attempt counters expire). */
  private async dropCounters(versions: string[]): Promise<void> {
    if (versions.length === 0) return;
    await this.redis.del(...versions.map((version) => `${faultKeyPrefix(this.config)}:${version}:seq`)).catch(() => undefined);
  }

  /** Reloads every consumer and session profile (one query); concurrent callers share one. A failure keeps the last. */
  reload(): Promise<void> {
    this.reloading ??= this.profiles
      .find()
      .then((rows) => {
        const active = new Map<string, ActiveProfile & { consumerId: string }>();
        for (const row of rows) {
          const key = row.sessionId ? `s:${row.sessionId}:${row.serviceCode ?? '*'}` : `c:${row.consumerId}:${row.serviceCode ?? '*'}`;
          active.set(key, { ...activeProfile(row.sessionId ? 'session' : 'consumer', row.profileVersion, row.serviceCode, row.profile), consumerId: row.consumerId });
        }
        this.active = active;
      })
      .catch((error: unknown) => this.logger.warn(`could not reload the fault profiles, keeping the last ones: ${(error as Error).message}`))
      .finally(() => {
        this.loadedAt = Date.now();
        this.reloading = null;
      });
    return this.reloading;
  }
}

function unknownSession(): ValidationFailedError {
  const message = 'is not a live session of this consumer (POST /sandbox/sessions creates one; DELETE ends it)';
  return new ValidationFailedError(`header.X-Sandbox-Session: ${message}`, [{ field: 'header.X-Sandbox-Session', rule: 'unknown_session', message }]);
}
