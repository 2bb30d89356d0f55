import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Not, type Repository } from 'typeorm';
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

/**
 * Finds the consumer behind a key hash. Every registry call needs it, so answers (found or not) are kept in memory
 * for CACHE_MS; a rotation or revocation made through this process drops its entry at once, one made through
 * another API process shows here within CACHE_MS.
 */
@Injectable()
export class ConsumerDirectory {
  static readonly CACHE_MS = 2_000;
  private readonly cache = new Map<string, { identity: ConsumerIdentity | null; expiresAt: number }>();
  private readonly repository: Repository<ConsumerEntity>;

  constructor(dataSource: DataSource) {
    this.repository = dataSource.getRepository(ConsumerEntity);
  }

  async byKeyHash(keyHash: string): Promise<ConsumerIdentity | null> {
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > Date.now()) return cached.identity;
    const consumer = await this.repository.findOneBy({ keyHash, keyRevokedAt: IsNull() });
    const identity = consumer ? identityOf(consumer) : null;
    // Bounded: unknown keys are cached too (so a flood of bad keys costs no queries), and the map is cleared when
    // it grows past what legitimate traffic needs.
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(keyHash, { identity, expiresAt: Date.now() + ConsumerDirectory.CACHE_MS });
    return identity;
  }

  /** Drops every cached answer: called after any change to consumers or their keys. */
  invalidate(): void {
    this.cache.clear();
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
