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

export const periodQuerySchema = z
  .strictObject({
    from: blankIsAbsent(isoDateTime.optional()).describe('Start of the period (default: 24 hours before `to`); counted from its whole UTC hour'),
    to: blankIsAbsent(isoDateTime.optional()).describe('End of the period, excluded (default: now); counted to the end of its UTC hour'),
  })
  .transform(({ from, to }, context) => {
    const end = to === undefined ? Date.now() : Date.parse(to);
    const start = from === undefined ? end - 24 * 3_600_000 : Date.parse(from);
    if (start >= end) context.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`', params: { rule: 'before_to' } });
    else if (end - start > MAX_PERIOD_DAYS * 86_400_000) context.addIssue({ code: 'custom', path: ['from'], message: `the period must not pass ${MAX_PERIOD_DAYS} days`, params: { rule: 'max_period' } });
    return { from: start, to: end };
  });
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
    total: z.number().int(),
    byOutcome: z.object(Object.fromEntries(JOURNAL_OUTCOMES.map((outcome) => [outcome, z.number().int()])) as Record<(typeof JOURNAL_OUTCOMES)[number], z.ZodNumber>),
  }),
  successRate: nullableNumber.describe('Answered calls (ok, mismatch, not_found) over all calls; null without calls'),
  latencyMs: z.object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber }).describe('From the fixed-bucket histograms of the rollups (README, "Coverage")'),
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

export const servicesCoverageSchema = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  thresholds: z.object({ minCalls: z.number().int(), minSuccessRate: z.number(), maxP95LatencyMs: z.number() }),
  services: z.array(serviceCoverageSchema),
});
export type ServicesCoverage = z.infer<typeof servicesCoverageSchema>;

/** The columns of the CSV of GET /coverage/v1/services, one line per service. */
export const COVERAGE_CSV_COLUMNS = [
  'serviceCode', 'nameEn', 'leadAgency', 'essential', 'connectorState', 'stage', 'status', 'statusReason', 'calls',
  ...JOURNAL_OUTCOMES.map((outcome) => `calls_${outcome}`),
  'successRate', 'p50LatencyMs', 'p95LatencyMs', 'p99LatencyMs', 'dossiersFiled', 'automationRate', 'decisionP50Seconds',
  'decisionP95Seconds', 'backlog', 'lastSyncRunId', 'driftRate',
] as const;

export function csvRowOf(service: ServiceCoverage): unknown[] {
  return [
    service.serviceCode, service.nameEn, service.leadAgency, service.essential, service.connector.state, service.stage, service.status,
    service.statusReason, service.calls.total, ...JOURNAL_OUTCOMES.map((outcome) => service.calls.byOutcome[outcome]), service.successRate,
    service.latencyMs.p50, service.latencyMs.p95, service.latencyMs.p99, service.dossiers.filed, service.dossiers.automationRate,
    service.dossiers.decisionP50Seconds, service.dossiers.decisionP95Seconds, service.dossiers.backlog, service.lastSyncRun?.runId ?? null,
    service.lastSyncRun?.driftRate ?? null,
  ];
}
