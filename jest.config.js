/**
 * Jest runs in native ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by the npm scripts) because Nest 12
 * ships ESM only. Three projects: unit specs beside the code, integration and e2e specs under test/ that talk to
 * the real Postgres and Redis. The test app boots like the real one: it creates the test database when missing and
 * applies the real migrations (never `synchronize`).
 */
const shared = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }] },
  extensionsToTreatAsEsm: ['.ts'],
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      setupFiles: ['<rootDir>/test/utils/test-env.ts'],
      // Every answer the tests receive is recorded and, after the run, checked against the OpenAPI document.
      globalSetup: '<rootDir>/test/utils/openapi-conformance-setup.ts',
      globalTeardown: '<rootDir>/test/utils/openapi-conformance.ts',
    },
    // The dashboard in Debian's headless chromium, driven by playwright-core; skipped with a message without it.
    { ...shared, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'], setupFiles: ['<rootDir>/test/utils/test-env.ts'] },
  ],
  // e2e files share one test database and reset it, so files run one at a time.
  maxWorkers: 1,
  testTimeout: 60000,
};
