import { describe, expect, it } from '@jest/globals';
import { newCallId, normalizeRequest } from './call-record.js';

describe('newCallId', () => {
  it('makes unique, time-ordered RFC 9562 version 7 ids', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, newCallId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 500)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The first 48 bits are the Unix time in milliseconds.
    const millis = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(millis(ids[0])).toBeGreaterThanOrEqual(before);
    expect(millis(ids[ids.length - 1])).toBeLessThanOrEqual(Date.now());
    expect(ids.map(millis)).toEqual([...ids.map(millis)].sort((a, b) => a - b));
  });
});

describe('normalizeRequest', () => {
  it('gives equal text for equal requests whatever the order of their keys', () => {
    expect(normalizeRequest({ body: { fullName: 'A', idNumber: '1' }, params: {} })).toBe(normalizeRequest({ params: {}, body: { idNumber: '1', fullName: 'A' } }));
    expect(normalizeRequest({ body: { idNumber: '1' } })).not.toBe(normalizeRequest({ body: { idNumber: '2' } }));
  });
});
