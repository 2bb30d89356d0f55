import { z } from 'zod';
import { csvField } from '../common/csv.js';
import { blankIsAbsent, isoDateTimeSchema } from '../common/validation.js';
import { CHECKLIST_ITEM_IDS } from './readiness-scenarios.js';

/** The default period: the last seven days. */
export const DEFAULT_READINESS_DAYS = 7;
/** The longest period one answer covers: as far back as a journal of JOURNAL_RETENTION_DAYS' default keeps. */
export const MAX_READINESS_DAYS = 31;
const DAY_MS = 86_400_000;

const isoDateTime = isoDateTimeSchema('must be an ISO 8601 date-time with a time zone, such as 2026-12-01T00:00:00+07:00');

export const consumerIdParamSchema = z.guid({ message: 'must be a UUID' });

/** The query of GET /coverage/v1/consumers/{id}/scenarios. */
export const readinessQuerySchema = z
  .strictObject({
    from: blankIsAbsent(isoDateTime.optional()).describe(`Calls received at or after; default: ${DEFAULT_READINESS_DAYS} days before \`to\``),
    to: blankIsAbsent(isoDateTime.optional()).describe('Calls received at or before; default: now'),
  })
  .superRefine((query, context) => {
    const to = query.to === undefined ? Date.now() : Date.parse(query.to);
    if (query.from === undefined) return;
    const from = Date.parse(query.from);
    if (from > to) context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from', params: { rule: 'range' } });
    else if (to - from > MAX_READINESS_DAYS * DAY_MS) {
      context.addIssue({ code: 'custom', path: ['from'], message: `must be at most ${MAX_READINESS_DAYS} days before to`, params: { rule: 'max_period' } });
    }
  })
  .transform((query) => {
    const to = query.to === undefined ? new Date() : new Date(query.to);
    const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_READINESS_DAYS * DAY_MS) : new Date(query.from);
    return { from, to };
  });
export type ReadinessQuery = z.output<typeof readinessQuerySchema>;

const followUpSchema = z.object({
  callId: z.string(),
  at: z.string().describe('When it was received (ISO 8601, UTC)'),
  gapMs: z.number().int().describe('Milliseconds after the call it follows'),
  requestId: z.string(),
  sameRequestId: z.boolean(),
  sameFingerprint: z.boolean().describe('The same consumer, operation and normalised request'),
  outcome: z.string(),
  httpStatus: z.number().int().nullable(),
});

const evidenceSchema = z.object({
  callId: z.string().describe('GET /journal/v1/calls/{callId} shows the call'),
  at: z.string(),
  requestId: z.string(),
  operation: z.string(),
  outcome: z.string(),
  httpStatus: z.number().int().nullable().describe('Null when nothing was answered (a timeout, a reset)'),
  problemCode: z.string().nullable(),
  faultKind: z.string().nullable().describe('The simulated fault; null for a real failure'),
  passed: z.boolean(),
  finding: z.string().describe('What the client did after this call, as judged'),
  next: z.array(followUpSchema).describe('The later calls of the same request (same fingerprint or request id) within the retry window, at most 3'),
});

const checklistItemSchema = z.object({
  item: z.enum(CHECKLIST_ITEM_IDS),
  title: z.string(),
  expected: z.string().describe('What a well-built client does'),
  status: z.enum(['passed', 'failed', 'not_exercised']),
  instances: z.number().int().describe('Calls of the period that put the item to the test'),
  failures: z.number().int(),
  evidence: z.array(evidenceSchema).describe('Every failure first, then the latest passes; at most 5'),
});

const personaCoverageSchema = z.object({
  total: z.number().int().describe('Persona scenarios of this service: every persona under each persona-bearing operation its connector enables'),
  exercised: z.array(
    z.object({ operation: z.string(), personaKey: z.string(), title: z.string(), calls: z.number().int(), lastCallId: z.string(), lastAt: z.string() }),
  ),
  notExercised: z.array(
    z.object({
      operation: z.string(),
      personaKey: z.string(),
      title: z.string(),
      observableFields: z.array(z.string()).describe("For a look-up: the persona's special fields this service's allow-list holds"),
    }),
  ),
});

const serviceReadinessSchema = z.object({
  serviceCode: z.string(),
  verdict: z.enum(['ready', 'not_ready', 'untested']).describe('`not_ready`: an item failed; `untested`: nothing failed but an item was not exercised, or no calls; `ready`: every item passed'),
  reason: z.string(),
  calls: z.number().int().describe('Calls of this service in the period'),
  checklist: z.array(checklistItemSchema),
  personas: personaCoverageSchema.describe('Informative: persona scenarios met and not yet met (not part of the verdict)'),
});

export const readinessReportSchema = z.object({
  consumerId: z.string(),
  consumerName: z.string(),
  from: z.string(),
  to: z.string(),
  analysedCalls: z.number().int().describe('Calls read: those of the period, and up to the retry window after it'),
  truncated: z.boolean().describe('More calls than one answer reads: only the newest were read (see analysedFrom)'),
  analysedFrom: z.string().nullable().describe('The oldest call read; later than `from` when truncated'),
  rules: z.object({
    retryWindowMs: z.number().int().describe('A later call of the same request within this time counts as its retry'),
    minRetryGapMs: z.number().int(),
    maxRetries: z.number().int(),
    backoffJitterShare: z.number(),
  }),
  services: z.array(serviceReadinessSchema).describe("The consumer's granted services, and any other it called"),
});
export type ReadinessReport = z.infer<typeof readinessReportSchema>;

/** The CSV export's columns: one line per checklist item and per persona scenario of each service. */
export const READINESS_CSV_COLUMNS = ['serviceCode', 'verdict', 'section', 'item', 'status', 'instances', 'failures', 'callIds', 'times', 'findings'] as const;

/**
 * The report as CSV: a line per checklist item (section `checklist`: its evidence's call ids, times and findings) and
 * per persona scenario (section `persona`: status `passed` when met, with its last call), for each service.
 */
export function readinessCsv(report: ReadinessReport): string {
  const lines: unknown[][] = [];
  for (const service of report.services) {
    for (const item of service.checklist) {
      lines.push([service.serviceCode, service.verdict, 'checklist', item.item, item.status, item.instances, item.failures,
        item.evidence.map((e) => e.callId), item.evidence.map((e) => e.at), item.evidence.map((e) => e.finding)]);
    }
    for (const met of service.personas.exercised) {
      lines.push([service.serviceCode, service.verdict, 'persona', `${met.operation}:${met.personaKey}`, 'passed', met.calls, 0, [met.lastCallId], [met.lastAt], []]);
    }
    for (const missing of service.personas.notExercised) {
      lines.push([service.serviceCode, service.verdict, 'persona', `${missing.operation}:${missing.personaKey}`, 'not_exercised', 0, 0, [], [], []]);
    }
  }
  return [READINESS_CSV_COLUMNS, ...lines].map((line) => line.map(csvField).join(',') + '\r\n').join('');
}
