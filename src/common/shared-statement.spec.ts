import { describe, expect, it } from '@jest/globals';
import { SharedStatement } from './shared-statement.js';

describe('SharedStatement', () => {
  it('runs what is submitted in one turn together, and what arrives meanwhile in the next run', async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const statement = new SharedStatement<number, number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) => item * 10);
    });
    const first = [statement.submit(1), statement.submit(2)];
    await new Promise((resolve) => setImmediate(resolve));
    const later = [statement.submit(3), statement.submit(4), statement.submit(5)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual([[1, 2]]);
    release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(runs).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('fails every item of a run that throws, and runs the next items on their own', async () => {
    let calls = 0;
    const statement = new SharedStatement<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('connection lost');
      return items;
    });
    const failed = [statement.submit(1), statement.submit(2)].map((promise) => promise.catch((error: Error) => error.message));
    expect(await Promise.all(failed)).toEqual(['connection lost', 'connection lost']);
    expect(await statement.submit(3)).toBe(3);
  });

  it('splits runs at maxItems', async () => {
    const sizes: number[] = [];
    const statement = new SharedStatement<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((item) => statement.submit(item)));
    expect(sizes).toEqual([2, 2, 1]);
  });
});
