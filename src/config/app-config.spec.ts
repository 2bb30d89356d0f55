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

describe('CORS_ALLOWED_ORIGINS', () => {
  it('allows any origin by default, a list of origins when set, and none when empty', () => {
    expect(loadConfig({}).cors).toEqual({ allowedOrigins: '*' });
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: 'https://app.example, http://localhost:5173' }).cors).toEqual({
      allowedOrigins: ['https://app.example', 'http://localhost:5173'],
    });
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: '' }).cors).toEqual({ allowedOrigins: [] });
  });

  it('lists every entry that is not an origin as the browser sends it, by position, without echoing it', () => {
    let error: unknown;
    try {
      loadConfig({ CORS_ALLOWED_ORIGINS: 'https://ok.example,https://secret-app.example/path,ftp://files.example,HTTPS://Upper.example,https://ok.example:443', PORT: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.filter((p) => p.startsWith('CORS_ALLOWED_ORIGINS')).map((p) => p.match(/entry (\d+)/)?.[1])).toEqual(['2', '3', '4', '5']);
    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect((error as Error).message).not.toMatch(/secret-app|files\.example|Upper/);
  });

  it('takes * only alone', () => {
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: '*,https://app.example' })).toThrow(/CORS_ALLOWED_ORIGINS: `\*` must stand alone/);
  });
});

describe('ACCESS_ADDRESS_LIMIT_PER_SECOND and ACCESS_ADDRESS_BURST', () => {
  it('default to 1,000 calls a second with bursts of two seconds\' worth; the burst follows the rate unless set', () => {
    expect(loadConfig({}).access.addressLimit).toEqual({ perSecond: 1_000, burst: 2_000 });
    expect(loadConfig({ ACCESS_ADDRESS_LIMIT_PER_SECOND: '50' }).access.addressLimit).toEqual({ perSecond: 50, burst: 100 });
    expect(loadConfig({ ACCESS_ADDRESS_LIMIT_PER_SECOND: '50', ACCESS_ADDRESS_BURST: '7' }).access.addressLimit).toEqual({ perSecond: 50, burst: 7 });
    expect(() => loadConfig({ ACCESS_ADDRESS_LIMIT_PER_SECOND: '0', ACCESS_ADDRESS_BURST: 'many' })).toThrow(/ACCESS_ADDRESS_LIMIT_PER_SECOND[\s\S]*ACCESS_ADDRESS_BURST/);
  });
});

describe('SANDBOX_SELF_SERVICE and SANDBOX_SELF_SERVICE_PER_HOUR', () => {
  it('open self-service registration by default, 10 an hour per address; false switches it off', () => {
    expect(loadConfig({}).sandbox.selfService).toEqual({ enabled: true, perHourPerAddress: 10 });
    expect(loadConfig({ SANDBOX_SELF_SERVICE: 'false', SANDBOX_SELF_SERVICE_PER_HOUR: '3' }).sandbox.selfService).toEqual({ enabled: false, perHourPerAddress: 3 });
    expect(() => loadConfig({ SANDBOX_SELF_SERVICE: 'no', SANDBOX_SELF_SERVICE_PER_HOUR: '0' })).toThrow(/SANDBOX_SELF_SERVICE:[\s\S]*SANDBOX_SELF_SERVICE_PER_HOUR/);
  });

  it('waits 5 minutes after an hour before its rollup by default, and refuses a grace shorter than the journal commit lag', () => {
    expect(loadConfig({}).coverage.rollupGraceMs).toBe(300_000);
    expect(() => loadConfig({ ROLLUP_GRACE_MS: '60000' })).toThrow(/ROLLUP_GRACE_MS: must be at least 90000/);
  });

  it('refuses a managers\' key equal to the admin key or to the scrape token, without echoing it', () => {
    const key = 'shared-key-0000000000000000000000';
    expect(() => loadConfig({ ADMIN_API_KEY: key, MANAGER_API_KEY: key })).toThrow(/MANAGER_API_KEY: must differ from ADMIN_API_KEY and METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: key, MANAGER_API_KEY: key })).toThrow(/MANAGER_API_KEY: must differ/);
    expect(() => loadConfig({ METRICS_TOKEN: key, MANAGER_API_KEY: key })).not.toThrow(new RegExp(key));
    expect(loadConfig({ ADMIN_API_KEY: key, MANAGER_API_KEY: `${key}-m` }).coverage.managerApiKey).toBe(`${key}-m`);
  });

  it('reads the coverage thresholds as JSON, each defaulted, and names every bad property', () => {
    expect(loadConfig({}).coverage.thresholds).toEqual({ minCalls: 1, minSuccessRate: 0.95, maxP95LatencyMs: 2_000 });
    expect(loadConfig({ COVERAGE_THRESHOLDS: '{"minSuccessRate":0.99}' }).coverage.thresholds).toEqual({ minCalls: 1, minSuccessRate: 0.99, maxP95LatencyMs: 2_000 });
    let error: unknown;
    try {
      loadConfig({ COVERAGE_THRESHOLDS: '{"minSuccessRate":2,"maxP95LatencyMs":-1,"other":1}' });
    } catch (caught) {
      error = caught;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/COVERAGE_THRESHOLDS: minSuccessRate/);
    expect(problems).toMatch(/COVERAGE_THRESHOLDS: maxP95LatencyMs/);
    expect(problems).toMatch(/COVERAGE_THRESHOLDS: .*other/);
    expect(() => loadConfig({ COVERAGE_THRESHOLDS: 'not json' })).toThrow(/COVERAGE_THRESHOLDS: must be a JSON object/);
  });
});
