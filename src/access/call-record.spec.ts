import { describe, expect, it } from '@jest/globals';
import { newTimeOrderedId } from '../common/time-ordered-id.js';
import { newCallId, normalizeRequest, timeOfUuidV7 } from './call-record.js';

describe('newTimeOrderedId and newCallId', () => {
  it('makes unique, time-ordered RFC 9562 version 7 ids', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, () => newTimeOrderedId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 500)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The first 48 bits are the Unix time in milliseconds.
    const millis = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(millis(ids[0])).toBeGreaterThanOrEqual(before);
    expect(millis(ids[ids.length - 1])).toBeLessThanOrEqual(Date.now());
    expect(ids.map(millis)).toEqual([...ids.map(millis)].sort((a, b) => a - b));
  });

  it('gives a call the millisecond it was received, which timeOfUuidV7 reads back', () => {
    const receivedAtMs = Date.parse('2026-12-01T16:59:59.999Z');
    const ids = Array.from({ length: 1_000 }, () => newCallId(receivedAtMs));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(timeOfUuidV7(id)).toBe(receivedAtMs);
    expect(timeOfUuidV7('0192f0c4-7a2b-4c3d-8e4f-0123456789ab')).toBeUndefined(); // a version 4 id
    expect(timeOfUuidV7('not-an-id')).toBeUndefined();
  });
});

describe('normalizeRequest', () => {
  it('gives equal text for equal requests whatever the order of their keys', () => {
    expect(normalizeRequest({ body: { fullName: 'A', idNumber: '1' }, params: {} })).toBe(normalizeRequest({ params: {}, body: { idNumber: '1', fullName: 'A' } }));
    expect(normalizeRequest({ body: { idNumber: '1' } })).not.toBe(normalizeRequest({ body: { idNumber: '2' } }));
  });

  it('is exactly JSON.stringify of the key-sorted request, so fingerprints stay what earlier versions recorded', () => {
    const sortedCopy = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sortedCopy)
        : value === null || typeof value !== 'object'
          ? value
          : Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedCopy((value as Record<string, unknown>)[key])]));
    const query = Object.assign(Object.create(null) as Record<string, unknown>, { fields: 'fullName,sex', limit: '5' });
    const samples: Record<string, unknown>[] = [
      { params: { idNumber: '001090999917' }, query, body: null, xml: false },
      { params: {}, query: {}, body: { items: [{ idNumber: '1', fullName: 'Nguyễn "A"\n', dateOfBirth: undefined }, null, [1, 2.5, true]] }, xml: true },
      { body: { z: { y: { x: [undefined, () => 1, 'ä'] } }, a: undefined, when: new Date(0), n: -0, big: 1e21 } },
      { query: { '10': 'a', '9': 'b', a: 'c', '01': 'd', '4294967295': 'e', '4294967294': 'f', '-1': 'g' } },
      {},
    ];
    for (const parts of samples) expect(normalizeRequest(parts)).toBe(JSON.stringify(sortedCopy(parts)));
  });
});
