import { z } from 'zod';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { blankIsAbsent } from '../common/validation.js';
import { addressSchema } from '../registry/registry.dto.js';
import { portalAddressSchema } from './portal-record.dto.js';
import { DISCREPANCY_KINDS } from './sync-discrepancies.js';
import type { DiscrepancyLine, SyncRunRow } from './sync-run.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const SYNC_RUN_STATES = ['pending', 'running', 'completed', 'cancelled', 'stopped'] as const;

/** POST /portal/v1/sync-runs: a service's records (or every service's holding records), reported or also corrected. */
export const requestSyncRunSchema = z.strictObject({
  serviceCode: z.union([z.literal('all'), serviceCodeSchema]).describe('A catalog service code, or `all` for every service that holds portal records'),
  mode: z.enum(['verify', 'refresh']).describe('`verify` reports only; `refresh` also writes the registry\'s values to the portal records'),
});
export type RequestSyncRunInput = z.output<typeof requestSyncRunSchema>;

export const syncRunIdParamSchema = z.string().regex(UUID, { message: 'must be a sync run id (a UUID)' });

export const syncRunQuerySchema = z.strictObject({
  serviceCode: blankIsAbsent(serviceCodeSchema.optional()),
  state: blankIsAbsent(z.enum(SYNC_RUN_STATES).optional()),
  cursor: blankIsAbsent(z.string().regex(UUID, { message: 'must be a nextCursor returned by this endpoint' }).optional()),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(200).default(50)),
});

export const discrepancyQuerySchema = z.strictObject({
  kind: blankIsAbsent(z.enum(DISCREPANCY_KINDS).optional()),
  cursor: blankIsAbsent(z.string().regex(/^\d{1,18}$/, { message: 'must be a nextCursor returned by this endpoint' }).optional()),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(1_000).default(100)).describe('Records per page (each with its discrepancies)'),
});

const countsByKind = z.object(Object.fromEntries(DISCREPANCY_KINDS.map((kind) => [kind, z.number().int()])) as Record<(typeof DISCREPANCY_KINDS)[number], z.ZodNumber>);

export const syncRunViewSchema = z.object({
  runId: z.string(),
  serviceCode: z.string(),
  mode: z.enum(['verify', 'refresh']),
  state: z.enum(SYNC_RUN_STATES),
  stopReason: z.string().nullable().describe('Why a stopped run stopped (a limit it would not wait out, a refusal, a batch that failed for good)'),
  waiting: z.object({ reason: z.string(), until: z.string() }).nullable().describe('The limit the run waits on now, if any'),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  resultsPrunedAt: z
    .string()
    .nullable()
    .describe('When the per-record results were dropped (per service, runs older than the newest SYNC_RESULTS_KEEP_RUNS): the counts remain, the discrepancy list answers 410'),
  batches: z.object({ planned: z.number().int().nullable(), done: z.number().int() }),
  records: z.object({
    planned: z.number().int().nullable(),
    scanned: z.number().int(),
    matched: z.number().int().describe('Scanned records without any discrepancy'),
    withDiscrepancies: z.number().int(),
    errors: z.number().int().describe('Records the registry could not check (an invalid record)'),
  }),
  discrepancies: z.object({ total: z.number().int(), byKind: countsByKind }),
  corrections: z.number().int().describe('Fields whose registry value the run read: proposed (`verify`) or written (`refresh`)'),
  throughput: z.object({ recordsPerSecond: z.number().nullable() }),
  eta: z.string().nullable().describe("When the run should finish, from its batches' completion rate; null when not running or not known yet"),
});
export type SyncRunView = z.output<typeof syncRunViewSchema>;

export const syncRunListSchema = z.object({ runs: z.array(syncRunViewSchema), nextCursor: z.string().nullable() });

/**
 * A field's value in a discrepancy: text (a name, a date, a status) or an address, the portal's in the shape its
 * records store (portalAddressSchema), the registry's as its answers give it (addressSchema, with the place names).
 */
const portalValueSchema = z.union([z.string(), portalAddressSchema]).nullable();
const registryValueSchema = z.union([z.string(), addressSchema]).nullable();

export const discrepancyLineSchema = z.object({
  recordId: z.string(),
  kind: z.enum(DISCREPANCY_KINDS),
  field: z.string().nullable(),
  portalValue: portalValueSchema.describe("The portal record's value (null for `not_found` and `duplicate`)"),
  registryValue: registryValueSchema.describe("The registry's value, which wins; null when the service may not read it"),
  corrected: z.boolean().describe('Whether the run (refresh) wrote the registry values to the record'),
});
export type DiscrepancyLineView = z.output<typeof discrepancyLineSchema>;
export const discrepancyPageSchema = z.object({ discrepancies: z.array(discrepancyLineSchema), nextCursor: z.string().nullable() });

export const DISCREPANCY_CSV_COLUMNS = ['recordId', 'kind', 'field', 'portalValue', 'registryValue', 'corrected'] as const;

/** A run as the API shows it: its counts, throughput over its running time, and an ETA from the batches' rate. */
export function toSyncRunView(run: SyncRunRow, now = new Date()): SyncRunView {
  const byKind = Object.fromEntries(DISCREPANCY_KINDS.map((kind) => [kind, run.kinds[kind] ?? 0])) as SyncRunView['discrepancies']['byKind'];
  const end = run.finishedAt ?? (run.state === 'running' ? now : run.lastDoneAt);
  const seconds = run.startedAt && end ? (end.getTime() - run.startedAt.getTime()) / 1000 : 0;
  let eta: string | null = null;
  if (run.state === 'running' && run.startedAt && run.batchCount !== null && run.batchesDone > 0) {
    const perBatchMs = (now.getTime() - run.startedAt.getTime()) / run.batchesDone;
    eta = new Date(now.getTime() + perBatchMs * (run.batchCount - run.batchesDone)).toISOString();
  }
  return {
    runId: run.runId,
    serviceCode: run.serviceCode,
    mode: run.mode,
    state: run.state,
    stopReason: run.stopReason,
    waiting: run.waitingReason && run.waitingUntil ? { reason: run.waitingReason, until: run.waitingUntil.toISOString() } : null,
    requestedAt: run.requestedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    resultsPrunedAt: run.resultsPrunedAt?.toISOString() ?? null,
    batches: { planned: run.batchCount, done: run.batchesDone },
    records: { planned: run.recordCount, scanned: run.scanned, matched: run.matched, withDiscrepancies: run.scanned - run.matched - run.errors, errors: run.errors },
    discrepancies: { total: Object.values(byKind).reduce((sum, n) => sum + n, 0), byKind },
    corrections: run.corrections,
    throughput: { recordsPerSecond: seconds > 0 ? Math.round((run.scanned / seconds) * 10) / 10 : null },
    eta,
  };
}

/** A discrepancy as the API shows it: the values are what the record and the registry hold (text or an address). */
export function toDiscrepancyLineView(line: DiscrepancyLine): DiscrepancyLineView {
  return {
    recordId: line.recordId,
    kind: line.kind,
    field: line.field,
    portalValue: (line.portalValue ?? null) as DiscrepancyLineView['portalValue'],
    registryValue: (line.registryValue ?? null) as DiscrepancyLineView['registryValue'],
    corrected: line.corrected,
  };
}
