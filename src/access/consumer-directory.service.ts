import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Not, type Repository } from 'typeorm';
import { digestsEqual, hashApiKey, keyPrefixOf } from './api-key.js';
import { ConsumerEntity, type ConsumerKind } from './consumer.entity.js';

/** What the access layer knows of an authenticated consumer on each call. */
export interface ConsumerIdentity {
  consumerId: string;
  name: string;
  kind: ConsumerKind;
  serviceCodes: ReadonlySet<string>;
  rateLimitPerSecond: number | null;
  dailyQuota: number | null;
}

/** The consumers holding a live key with one prefix, each with its key's hash. */
interface KeyCandidates {
  candidates: { keyHash: string; identity: ConsumerIdentity }[];
  expiresAt: number;
}

/**
 * Finds the consumer behind a key. The key's public prefix (what operators see) selects the candidates, and the
 * key's hash is compared with each in constant time, so that no answer time depends on how much of a stored hash a
 * guess matches. Every registry call needs this, so candidates (none, for an unknown prefix) are kept in memory for
 * CACHE_MS; a rotation or revocation made through this process drops them at once, one made through another API
 * process shows here within CACHE_MS.
 */
@Injectable()
export class ConsumerDirectory {
  static readonly CACHE_MS = 2_000;
  private readonly cache = new Map<string, KeyCandidates>();
  private readonly byIdCache = new Map<string, { identity: ConsumerIdentity | null; expiresAt: number }>();
  /** Bumped by invalidate(): a look-up that started before a change must not cache what it read. */
  private generation = 0;
  private readonly repository: Repository<ConsumerEntity>;

  constructor(dataSource: DataSource) {
    this.repository = dataSource.getRepository(ConsumerEntity);
  }

  async byKey(key: string): Promise<ConsumerIdentity | null> {
    const keyHash = hashApiKey(key);
    const { candidates } = await this.candidatesFor(keyPrefixOf(key));
    let found: ConsumerIdentity | null = null;
    // Every candidate is compared, not just up to the first match.
    for (const candidate of candidates) if (digestsEqual(candidate.keyHash, keyHash)) found = candidate.identity;
    return found;
  }

  /**
   * The consumer with this id and a live key, for in-process callers (the portal's jobs act as their own consumer):
   * a revoked key stops them as it stops an HTTP caller. Cached like keys, and dropped by invalidate().
   */
  async byId(consumerId: string): Promise<ConsumerIdentity | null> {
    const cached = this.byIdCache.get(consumerId);
    if (cached && cached.expiresAt > Date.now()) return cached.identity;
    const startedIn = this.generation;
    const consumer = /^[0-9a-f-]{36}$/i.test(consumerId)
      ? await this.repository.findOneBy({ consumerId, keyHash: Not(IsNull()), keyRevokedAt: IsNull() })
      : null;
    const identity = consumer ? identityOf(consumer) : null;
    if (this.byIdCache.size > 10_000) this.byIdCache.clear();
    if (startedIn === this.generation) this.byIdCache.set(consumerId, { identity, expiresAt: Date.now() + ConsumerDirectory.CACHE_MS });
    return identity;
  }

  private async candidatesFor(keyPrefix: string): Promise<KeyCandidates> {
    const cached = this.cache.get(keyPrefix);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const startedIn = this.generation;
    const consumers = await this.repository.findBy({ keyPrefix, keyHash: Not(IsNull()), keyRevokedAt: IsNull() });
    const entry = {
      candidates: consumers.map((consumer) => ({ keyHash: consumer.keyHash!.trim(), identity: identityOf(consumer) })),
      expiresAt: Date.now() + ConsumerDirectory.CACHE_MS,
    };
    // Bounded: unknown prefixes are cached too (so a flood of bad keys costs few queries), and the map is cleared
    // when it grows past what legitimate traffic needs.
    if (this.cache.size > 10_000) this.cache.clear();
    // A revocation committed while this read was in flight may be missing from it: answer this call with it (the
    // call began before the revocation was answered), but do not keep it for the next ones.
    if (startedIn === this.generation) this.cache.set(keyPrefix, entry);
    return entry;
  }

  /** Drops every cached answer: called after any change to consumers or their keys. */
  invalidate(): void {
    this.generation += 1;
    this.cache.clear();
    this.byIdCache.clear();
  }

  async activeKeyCount(): Promise<number> {
    return this.repository.countBy({ keyHash: Not(IsNull()) });
  }
}

export function identityOf(consumer: ConsumerEntity): ConsumerIdentity {
  return {
    consumerId: consumer.consumerId,
    name: consumer.name,
    kind: consumer.kind,
    serviceCodes: new Set(consumer.serviceCodes),
    rateLimitPerSecond: consumer.rateLimitPerSecond,
    dailyQuota: consumer.dailyQuota,
  };
}
