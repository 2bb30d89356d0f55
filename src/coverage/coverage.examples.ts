import type { AgenciesCoverage, AreasCoverage, Series, ServiceCoverage, ServiceCoverageDetail, ServicesCoverage } from './coverage.dto.js';

/** A worked example of one service's coverage, as GET /coverage/v1/services answers it. */
const SERVICE: ServiceCoverage = {
  serviceCode: 'BIRTH-REG',
  nameVi: 'Đăng ký khai sinh',
  nameEn: 'Birth registration',
  leadAgency: 'Bộ Tư pháp',
  essential: true,
  project06Number: 1,
  connector: { state: 'enabled', operations: ['verify', 'verify-batch', 'look-up'] },
  stage: 'live',
  period: { from: '2026-11-30T20:00:00.000Z', to: '2026-12-01T21:00:00.000Z' },
  calls: {
    total: 1200,
    byOutcome: { ok: 1100, mismatch: 40, not_found: 12, refused: 8, invalid: 10, rate_limited: 0, quota_exhausted: 0, unavailable: 20, timeout: 6, server_error: 4 },
    simulated: 14,
    answered: 1152,
    failed: 16,
  },
  successRate: 0.9863,
  latencyMs: { p50: 3.2, p95: 18.5, p99: 190.4 },
  dossiers: { filed: 300, decidedAutomatically: 270, automationRate: 0.9, decisionP50Seconds: 1.2, decisionP95Seconds: 8.4, backlog: 5 },
  lastSyncRun: {
    runId: '0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b',
    finishedAt: '2026-12-01T02:10:00.000Z',
    scanned: 10000,
    matched: 9700,
    driftRate: 0.03,
    discrepancyRateByKind: { fullName: 0.01, permanentAddress: 0.015, not_found: 0.005 },
  },
  status: 'integrated',
  statusReason: 'success rate 0.9863 and p95 latency 18.5 ms within the thresholds',
};

export const COVERAGE_EXAMPLES: {
  service: ServiceCoverageDetail;
  services: ServicesCoverage;
  series: Series;
  agencies: AgenciesCoverage;
  areas: AreasCoverage;
} = {
  service: {
    ...SERVICE,
    dataMinimisation: {
      neverReturned: ['ethnicity', 'religion'],
      refused: [{ field: 'occupation', calls: 8 }],
      fields: [
        { field: 'dateOfBirth', inAllowList: true, requested: 1150, returned: 1100 },
        { field: 'fullName', inAllowList: true, requested: 1192, returned: 1140 },
        { field: 'occupation', inAllowList: false, requested: 8, returned: 0 },
      ],
    },
  },
  agencies: {
    period: SERVICE.period,
    agencies: [
      {
        leadAgency: 'Bộ Tư pháp',
        essentialServices: 2,
        serviceCodes: ['BIRTH-REG', 'MARRIAGE-REG'],
        services: 2,
        byStatus: { integrated: 1, degraded: 0, not_integrated: 0, no_traffic: 1 },
        calls: 1200,
        successRate: 0.9863,
        dossiersFiled: 300,
        automationRate: 0.9,
        backlog: 5,
      },
    ],
  },
  areas: {
    period: SERVICE.period,
    level: 'province',
    areas: [
      { code: '01', name: 'Thành phố Hà Nội', provinceCode: '01', dossiersFiled: 180, decidedAutomatically: 165, automationRate: 0.9167, backlog: 3 },
      { code: null, name: null, provinceCode: null, dossiersFiled: 2, decidedAutomatically: 0, automationRate: 0, backlog: 2 },
    ],
  },
  series: {
    service: 'BIRTH-REG',
    measure: 'p95_latency_ms',
    interval: 'hour',
    from: '2026-12-01T12:00:00.000Z',
    to: '2026-12-01T15:00:00.000Z',
    previousFrom: '2026-12-01T09:00:00.000Z',
    points: [
      { at: '2026-12-01T12:00:00.000Z', value: 18.5, previous: 17.9 },
      { at: '2026-12-01T13:00:00.000Z', value: 21.2, previous: null },
      { at: '2026-12-01T14:00:00.000Z', value: null, previous: 16.4 },
    ],
  },
  services: {
    period: SERVICE.period,
    headline: {
      essentialServices: 2,
      essentialIntegrated: 1,
      confirmedList: 24,
      shareOfConfirmed: 0.0417,
      essentialByStatus: { integrated: 1, degraded: 0, not_integrated: 0, no_traffic: 1 },
    },
    thresholds: { minCalls: 1, minSuccessRate: 0.95, maxP95LatencyMs: 2000 },
    services: [
      SERVICE,
      {
        ...SERVICE,
        serviceCode: 'MARRIAGE-REG',
        nameVi: 'Đăng ký kết hôn',
        nameEn: 'Marriage registration',
        project06Number: 2,
        stage: 'testing',
        calls: { total: 0, byOutcome: { ok: 0, mismatch: 0, not_found: 0, refused: 0, invalid: 0, rate_limited: 0, quota_exhausted: 0, unavailable: 0, timeout: 0, server_error: 0 }, simulated: 0, answered: 0, failed: 0 },
        successRate: null,
        latencyMs: { p50: null, p95: null, p99: null },
        dossiers: { filed: 0, decidedAutomatically: 0, automationRate: null, decisionP50Seconds: null, decisionP95Seconds: null, backlog: 0 },
        lastSyncRun: null,
        status: 'no_traffic',
        statusReason: '0 calls answered or failed by the service in the period, fewer than minCalls 1',
      },
    ],
  },
};
