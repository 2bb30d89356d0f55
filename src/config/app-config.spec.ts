import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/popgate',
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      sandbox: { seed: 'popgate', citizens: 20_000, seedOnStart: true },
      workersInApi: true,
    });
  });

  it('lists every problem at once and never echoes a value', () => {
    const secret = 'postgres://user:s3cr3t@db:5432/x';
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: secret.replace('postgres', 'mysql'), PORT: 'abc', SANDBOX_CITIZENS: '-1', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SANDBOX_CITIZENS']);
    expect((error as Error).message).not.toContain('s3cr3t');
  });

  it('parses booleans strictly', () => {
    expect(loadConfig({ SANDBOX_SEED_ON_START: 'false', WORKERS_IN_API: 'false' })).toMatchObject({
      sandbox: { seedOnStart: false },
      workersInApi: false,
    });
    expect(() => loadConfig({ SANDBOX_SEED_ON_START: 'yes' })).toThrow(ConfigError);
  });
});
