import { describe, expect, it } from '@jest/globals';
import { StatementNames } from './statement-names.js';

describe('StatementNames', () => {
  it('gives the same key the same name, and none once the budget is spent', () => {
    const names = new StatementNames('lookup', 2);
    expect(names.nameFor('a,b')).toBe('lookup_0');
    expect(names.nameFor('c')).toBe('lookup_1');
    expect(names.nameFor('a,b')).toBe('lookup_0');
    expect(names.nameFor('d')).toBeUndefined();
  });
});
