import { beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ConsumerDirectory } from '../../src/access/consumer-directory.service.js';
import { createTestConsumer } from '../factories/access.factory.js';
import { createTestApp, useTestApp } from '../utils/test-app.js';

/** The key → consumer cache: a change must never be hidden by a read that was in flight when it happened. */
describe('ConsumerDirectory', () => {
  const testApp = useTestApp({ seed: false });
  let directory: ConsumerDirectory;

  beforeAll(async () => {
    directory = testApp.app.get(ConsumerDirectory);
  });

  it('does not keep what a look-up read before an invalidation, so a revocation made meanwhile applies to the next call', async () => {
    const consumer = await createTestConsumer(testApp.app);
    const key = consumer.auth.authorization.slice('Bearer '.length);
    directory.invalidate();
    // The look-up is in flight (its query not answered yet) when the cache is invalidated, as a revocation does.
    const inFlight = directory.byKey(key);
    directory.invalidate();
    expect((await inFlight)?.consumerId).toBe(consumer.consumerId);
    // Revoked behind the directory's back: only a fresh read can see it, and a fresh read is what must happen.
    await testApp.app.get(DataSource).query(`UPDATE consumers SET key_hash = NULL, key_revoked_at = now() WHERE consumer_id = $1`, [consumer.consumerId]);
    expect(await directory.byKey(key)).toBeNull();
  });

  it('keeps a look-up that no change overtook, for CACHE_MS', async () => {
    const consumer = await createTestConsumer(testApp.app);
    const key = consumer.auth.authorization.slice('Bearer '.length);
    directory.invalidate();
    expect((await directory.byKey(key))?.consumerId).toBe(consumer.consumerId);
    await testApp.app.get(DataSource).query(`UPDATE consumers SET key_hash = NULL, key_revoked_at = now() WHERE consumer_id = $1`, [consumer.consumerId]);
    // Cached: this process has not been told (another process's revocation shows within CACHE_MS).
    expect((await directory.byKey(key))?.consumerId).toBe(consumer.consumerId);
    directory.invalidate();
    expect(await directory.byKey(key)).toBeNull();
  });
});
