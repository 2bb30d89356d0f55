import { z } from 'zod';
import { blankIsAbsent, isoDateTimeSchema } from '../common/validation.js';
import { JOURNAL_OUTCOMES } from '../journal/call-outcome.js';

/** The integration stage an operator sets per service; a service without one is `planned`. */
export const INTEGRATION_STAGES = ['planned', 'testing', 'live'] as const;
export type IntegrationStage = (typeof INTEGRATION_STAGES)[number];

/** The computed status of a service's integration (README, "Coverage"). */
export const COVERAGE_STATUSES = ['integrated', 'degraded', 'not_integrated', 'no_traffic'] as const;
export type CoverageStatus = (typeof COVERAGE_STATUSES)[number];

/** The longest period one coverage query covers. */
export const MAX_PERIOD_DAYS = 366;

const isoDateTime = isoDateTimeSchema('must be an ISO 8601 date-time with a time zone');

const periodFields = {
  from: blankIsAbsent(isoDateTime.optional()).describe('Start of the period (default: 24 hours before `to`); counted from its whole UTC hour'),
  to: blankIsAbsent(isoDateTime.optional()).describe('End of the period, excluded (default: now); counted to the end of its UTC hour'),
};

/** The period of `from` and `to` as instants, its defaults applied, with an issue when it is empty or too long. */
function periodOf(from: string | undefined, to: string | undefined, context: z.RefinementCtx): { from: number; to: number } {
  const end = to === undefined ? Date.now() : Date.parse(to);
  const start = from === undefined ? end - 24 * 3_600_000 : Date.parse(from);
  if (start >= end) context.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`', params: { rule: 'before_to' } });
  else if (end - start > MAX_PERIOD_DAYS * 86_400_000) context.addIssue({ code: 'custom', path: ['from'], message: `the period must not pass ${MAX_PERIOD_DAYS} days`, params: { rule: 'max_period' } });
  return { from: start, to: end };
}

export const periodQuerySchema = z.strictObject(periodFields).transform(({ from, to }, context) => periodOf(from, to, context));
export type PeriodQuery = z.output<typeof periodQuerySchema>;

export const stageBodySchema = z.strictObject({
  stage: z.enum(INTEGRATION_STAGES).describe('`planned`: not started; `testing`: integrating in the sandbox; `live`: in production'),
});

const nullableNumber = z.number().nullable();

export const serviceCoverageSchema = z.object({
  serviceCode: z.string(),
  nameVi: z.string(),
  nameEn: z.string(),
  leadAgency: z.string(),
  essential: z.boolean().describe('One of the essential services of Project 06'),
  project06Number: z.number().int().nullable(),
  connector: z.object({ state: z.enum(['enabled', 'maintenance', 'disabled']), operations: z.array(z.string()) }),
  stage: z.enum(INTEGRATION_STAGES),
  period: z.object({ from: z.string().describe('ISO 8601, the whole hour the period starts in'), to: z.string().describe('ISO 8601, excluded') }),
  calls: z.object({
    total: z.number().int().describe('Every call of the period'),
    byOutcome: z.object(Object.fromEntries(JOURNAL_OUTCOMES.map((outcome) => [outcome, z.number().int()])) as Record<(typeof JOURNAL_OUTCOMES)[number], z.ZodNumber>),
    simulated: z.number().int().describe("Calls that met a fault profile's simulated fault or delay: a developer's test, not the service's behaviour; counted in byOutcome, left out of the success rate and the latencies"),
    answered: z.number().int().describe('Calls without a simulated fault that the registry answered (ok, mismatch, not_found)'),
    failed: z.number().int().describe('Calls without a simulated fault that the service side failed (unavailable, timeout, server_error)'),
  }),
  successRate: nullableNumber.describe(
    "answered / (answered + failed): the service's own outcomes only. A client's errors (refused, invalid, rate_limited, quota_exhausted) and simulated faults count in neither; null when no call measured the service",
  ),
  latencyMs: z
    .object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber })
    .describe('Of the answered and failed calls, from the fixed-bucket histograms of the rollups (README, "Coverage")'),
  dossiers: z.object({
    filed: z.number().int().describe('Filed in the period'),
    decidedAutomatically: z.number().int().describe('Of those, decided without review (verified or rejected)'),
    automationRate: nullableNumber.describe('decidedAutomatically / filed; null without dossiers'),
    decisionP50Seconds: nullableNumber.describe('Filing to decision, of the decided ones'),
    decisionP95Seconds: nullableNumber,
    backlog: z.number().int().describe('Dossiers not yet decided (received or verifying), whenever filed'),
  }),
  lastSyncRun: z
    .object({
      runId: z.string(),
      finishedAt: z.string().nullable(),
      scanned: z.number().int(),
      matched: z.number().int(),
      driftRate: nullableNumber.describe('Records with a discrepancy over records scanned'),
      discrepancyRateByKind: z.record(z.string(), z.number()).describe('Per discrepancy kind (one per field, plus not_found, duplicate): records with it over records scanned'),
    })
    .nullable()
    .describe('The last completed sync run of the service'),
  status: z.enum(COVERAGE_STATUSES),
  statusReason: z.string().describe('Why: the rule and the figures that set the status'),
});
export type ServiceCoverage = z.infer<typeof serviceCoverageSchema>;

/** The number of essential services the Project 06 annex confirms (Decision 06/QĐ-TTg; the 25th is unconfirmed). */
export const CONFIRMED_ESSENTIAL_SERVICES = 24;

export const headlineSchema = z.object({
  essentialServices: z.number().int().describe('Catalog services marked essential'),
  essentialIntegrated: z.number().int().describe('Of those, with status `integrated` in the period'),
  confirmedList: z.number().int().describe(`The confirmed list of Project 06's essential services (${CONFIRMED_ESSENTIAL_SERVICES})`),
  shareOfConfirmed: z.number().describe('essentialIntegrated / confirmedList'),
  essentialByStatus: z.object(Object.fromEntries(COVERAGE_STATUSES.map((status) => [status, z.number().int()])) as Record<CoverageStatus, z.ZodNumber>),
});
export type Headline = z.infer<typeof headlineSchema>;

export const servicesCoverageSchema = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  headline: headlineSchema.describe('Project 06: essential services integrated, against the confirmed list'),
  thresholds: z.object({ minCalls: z.number().int(), minSuccessRate: z.number(), maxP95LatencyMs: z.number() }),
  services: z.array(serviceCoverageSchema),
});
export type ServicesCoverage = z.infer<typeof servicesCoverageSchema>;

/** The columns of the CSV of GET /coverage/v1/services, one line per service. */
export const COVERAGE_CSV_COLUMNS = [
  'serviceCode', 'nameEn', 'leadAgency', 'essential', 'connectorState', 'stage', 'status', 'statusReason', 'calls',
  ...JOURNAL_OUTCOMES.map((outcome) => `calls_${outcome}`), 'calls_simulated', 'calls_answered', 'calls_failed',
  'successRate', 'p50LatencyMs', 'p95LatencyMs', 'p99LatencyMs', 'dossiersFiled', 'automationRate', 'decisionP50Seconds',
  'decisionP95Seconds', 'backlog', 'lastSyncRunId', 'driftRate',
] as const;

export function csvRowOf(service: ServiceCoverage): unknown[] {
  return [
    service.serviceCode, service.nameEn, service.leadAgency, service.essential, service.connector.state, service.stage, service.status,
    service.statusReason, service.calls.total, ...JOURNAL_OUTCOMES.map((outcome) => service.calls.byOutcome[outcome]), service.calls.simulated,
    service.calls.answered, service.calls.failed, service.successRate,
    service.latencyMs.p50, service.latencyMs.p95, service.latencyMs.p99, service.dossiers.filed, service.dossiers.automationRate,
    service.dossiers.decisionP50Seconds, service.dossiers.decisionP95Seconds, service.dossiers.backlog, service.lastSyncRun?.runId ?? null,
    service.lastSyncRun?.driftRate ?? null,
  ];
}

/** The measures of GET /coverage/v1/timeseries, each computed per hour or day from the rollups. */
export const SERIES_MEASURES = [
  'calls',
  'answered_calls',
  'failed_calls',
  'simulated_calls',
  'success_rate',
  'mean_latency_ms',
  'p50_latency_ms',
  'p95_latency_ms',
  'p99_latency_ms',
  'dossiers_filed',
  'automation_rate',
  'decision_p50_seconds',
  'decision_p95_seconds',
] as const;
export type SeriesMeasure = (typeof SERIES_MEASURES)[number];

/** The measures of the dossiers filed in each bucket (the others are of the calls received in it). */
export const DOSSIER_SERIES_MEASURES = ['dossiers_filed', 'automation_rate', 'decision_p50_seconds', 'decision_p95_seconds'] as const satisfies readonly SeriesMeasure[];
export type DossierSeriesMeasure = (typeof DOSSIER_SERIES_MEASURES)[number];

/** The most points one series holds: a month of hours. */
export const MAX_SERIES_POINTS = 31 * 24;

const SERIES_STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

export const seriesQuerySchema = z
  .strictObject({
    service: blankIsAbsent(z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, { message: 'must be a service code' }).optional()).describe('A catalog service code; absent: every service together'),
    measure: z.enum(SERIES_MEASURES).describe(`One of ${SERIES_MEASURES.join(', ')}`),
    interval: blankIsAbsent(z.enum(['hour', 'day']).default('hour')).describe('`hour` (UTC hours) or `day` (Vietnamese days, UTC+7)'),
    from: blankIsAbsent(isoDateTime.optional()).describe('Start (default: 24 hours, or 7 days for `day`, before `to`), rounded down to its hour or day'),
    to: blankIsAbsent(isoDateTime.optional()).describe('End, excluded (default: now), rounded up to its hour or day'),
  })
  .transform((query, context) => {
    const step = SERIES_STEP_MS[query.interval];
    const end = query.to === undefined ? Date.now() : Date.parse(query.to);
    const start = query.from === undefined ? end - (query.interval === 'day' ? 7 : 1) * 86_400_000 : Date.parse(query.from);
    if (start >= end) context.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`', params: { rule: 'before_to' } });
    else if ((end - start) / step > MAX_SERIES_POINTS) {
      context.addIssue({ code: 'custom', path: ['from'], message: `the series must not pass ${MAX_SERIES_POINTS} points`, params: { rule: 'max_points' } });
    }
    return { service: query.service, measure: query.measure, interval: query.interval, from: start, to: end };
  });
export type SeriesQuery = z.output<typeof seriesQuerySchema>;

export const seriesSchema = z.object({
  service: z.string().nullable().describe('The service, or null for every service together'),
  measure: z.enum(SERIES_MEASURES),
  interval: z.enum(['hour', 'day']),
  from: z.string().describe('ISO 8601: the first point'),
  to: z.string().describe('ISO 8601: the end of the last point'),
  previousFrom: z.string().describe('ISO 8601: the previous period, as long, just before'),
  points: z.array(
    z.object({
      at: z.string().describe('ISO 8601: the hour or day (its first instant)'),
      value: z.number().nullable().describe('null when the measure has no value (a rate or latency without calls)'),
      previous: z.number().nullable().describe('The value at the same place of the previous period'),
    }),
  ),
});
export type Series = z.infer<typeof seriesSchema>;

export const dataMinimisationSchema = z.object({
  neverReturned: z.array(z.string()).describe('Allow-list fields no call of the service was returned in the period: candidates to remove from its allow-list'),
  refused: z
    .array(z.object({ field: z.string(), calls: z.number().int().describe('Calls refused with fields_not_allowed that asked for it') }))
    .describe('Fields outside the allow-list that calls asked for and were refused'),
  fields: z
    .array(z.object({ field: z.string(), inAllowList: z.boolean(), requested: z.number().int(), returned: z.number().int() }))
    .describe('Every field asked for or returned in the period, with its counts'),
});

export const serviceCoverageDetailSchema = serviceCoverageSchema.extend({ dataMinimisation: dataMinimisationSchema });
export type ServiceCoverageDetail = z.infer<typeof serviceCoverageDetailSchema>;

const rollupFiguresSchema = z.object({
  services: z.number().int(),
  byStatus: z.object(Object.fromEntries(COVERAGE_STATUSES.map((status) => [status, z.number().int()])) as Record<CoverageStatus, z.ZodNumber>),
  calls: z.number().int(),
  successRate: nullableNumber.describe("Its services' answered calls over their answered and failed calls (as a service's successRate)"),
  dossiersFiled: z.number().int(),
  automationRate: nullableNumber,
  backlog: z.number().int(),
});

export const agenciesCoverageSchema = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  agencies: z.array(rollupFiguresSchema.extend({ leadAgency: z.string(), essentialServices: z.number().int(), serviceCodes: z.array(z.string()) })),
});
export type AgenciesCoverage = z.infer<typeof agenciesCoverageSchema>;

export const areasQuerySchema = z
  .strictObject({
    ...periodFields,
    level: blankIsAbsent(z.enum(['province', 'commune']).default('province')).describe('`province` (default) or `commune` of the applicants'),
  })
  .transform(({ from, to, level }, context) => ({ ...periodOf(from, to, context), level }));

export const areasCoverageSchema = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  level: z.enum(['province', 'commune']),
  areas: z.array(
    z.object({
      code: z.string().nullable().describe('The province or commune code (2025 map); null for dossiers without a known commune'),
      name: z.string().nullable(),
      provinceCode: z.string().nullable(),
      dossiersFiled: z.number().int(),
      decidedAutomatically: z.number().int(),
      automationRate: nullableNumber,
      backlog: z.number().int().describe('Filed in the period and not yet decided'),
    }),
  ),
});
export type AreasCoverage = z.infer<typeof areasCoverageSchema>;

/** The longest window one replay rolls up again: a month of hours. */
export const MAX_REPLAY_HOURS = 31 * 24;

export const replayBodySchema = z
  .strictObject({
    from: isoDateTime.describe('The first hour to roll up again (rounded down to its UTC hour)'),
    to: isoDateTime.describe('The end of the window, excluded (rounded up to its UTC hour)'),
  })
  .transform(({ from, to }, context) => {
    const fromHour = Math.floor(Date.parse(from) / 3_600_000) * 3_600_000;
    const toHour = Math.ceil(Date.parse(to) / 3_600_000) * 3_600_000;
    if (fromHour >= toHour) context.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`', params: { rule: 'before_to' } });
    else if ((toHour - fromHour) / 3_600_000 > MAX_REPLAY_HOURS) context.addIssue({ code: 'custom', path: ['from'], message: `the window must not pass ${MAX_REPLAY_HOURS} hours`, params: { rule: 'max_period' } });
    return { fromHour, toHour };
  });

export const replayQueuedSchema = z.object({
  jobId: z.string().describe('The job on the `coverage` queue (GET /ops/queues): the same window asked again while it waits is the same job'),
  from: z.string().describe('ISO 8601: the first hour rolled up again'),
  to: z.string().describe('ISO 8601: the end of the window, excluded'),
  hours: z.number().int(),
});
export type ReplayQueued = z.infer<typeof replayQueuedSchema>;
