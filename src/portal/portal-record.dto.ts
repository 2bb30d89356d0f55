import { z } from 'zod';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { blankIsAbsent, safeText } from '../common/validation.js';
import { DRIFT_KINDS, portalRecordLabelSchema } from './portal-record-labels.js';

/** The most records one generation writes (a job: see the README on generated portal records). */
export const MAX_GENERATED_RECORDS = 5_000_000;

export const generateRecordsSchema = z.strictObject({
  serviceCode: serviceCodeSchema.optional().describe('Every record for this service; absent: each record for a catalog service drawn by the seed'),
  count: z.number().int().min(1).max(MAX_GENERATED_RECORDS).describe(`Records to write, 1-${MAX_GENERATED_RECORDS.toLocaleString('en')}`),
  driftRate: z.number().min(0).max(1).describe('Share of the records with one labelled drift each (0-1); rounded to whole records, the kinds in equal shares'),
  seed: safeText(64).trim().min(1).describe('The same seed on the same dataset and catalog writes the same records with the same labels'),
});
export type GenerateRecordsInput = z.output<typeof generateRecordsSchema>;

const countsByKind = z.object(
  Object.fromEntries(['faithful', ...DRIFT_KINDS].map((kind) => [kind, z.number().int()])) as Record<'faithful' | (typeof DRIFT_KINDS)[number], z.ZodNumber>,
);

/** What a generation wrote: the job's return value. */
export const generatedRecordsSchema = z.object({
  seed: z.string(),
  serviceCode: z.string().nullable(),
  requested: z.number().int().describe('`count` of the request'),
  records: z.number().int().describe('Records written (fewer than requested only when the registry has too few citizens)'),
  replaced: z.number().int().describe('Records of the same services removed first (every one, whatever changed it since)'),
  byKind: countsByKind.describe('Records per label kind (`faithful`: label null)'),
  byService: z.record(z.string(), z.number().int()).describe('Records per service code'),
  shortfalls: z
    .array(z.object({ kind: z.enum(DRIFT_KINDS), wanted: z.number().int(), written: z.number().int(), reason: z.string() }))
    .describe('Kinds with fewer records than their share (too few citizens can carry them); a special kind\'s missing share went to the kinds any citizen can carry'),
  durationMs: z.number().int(),
});
export type GeneratedRecords = z.infer<typeof generatedRecordsSchema>;

/** A generation job as GET /sandbox/portal/records/jobs/{jobId} shows it. */
export const recordsJobViewSchema = z.object({
  jobId: z.string(),
  state: z.enum(['waiting', 'waiting-children', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'unknown']).describe("BullMQ's job state"),
  progress: z.number().describe('0-100: planning takes the first 20, writing the records the rest'),
  request: generateRecordsSchema.extend({ serviceCode: z.string().nullable() }).describe('What the job generates'),
  result: generatedRecordsSchema.nullable().describe('Set once the job completed'),
  failedReason: z.string().nullable(),
  queuedAt: z.string().describe('ISO 8601'),
  finishedAt: z.string().nullable().describe('ISO 8601'),
});
export type RecordsJobView = z.infer<typeof recordsJobViewSchema>;

export const queuedRecordsJobSchema = recordsJobViewSchema.extend({ statusUrl: z.string().describe('Where to follow the job: GET it') });
export type QueuedRecordsJob = z.infer<typeof queuedRecordsJobSchema>;

/** An address as a portal record stores it (the generator's and the follower's shape: codes, and the old names of a pre-2025 commune). */
export const portalAddressSchema = z.object({
  detail: z.string(),
  communeCode: z.string().nullable().describe('2025 commune code; null on a pre-2025 (3-level) address'),
  legacyCommune: z.string().nullable().describe('Pre-2025 commune name, with legacyDistrict'),
  legacyDistrict: z.string().nullable(),
  provinceCode: z.string(),
});

/** A portal record as GET /portal/v1/records shows it: the ID number masked, as dossiers show it. */
export const portalRecordViewSchema = z.object({
  recordId: z.string(),
  serviceCode: z.string(),
  holderCommuneCode: z.string().nullable().describe("The commune office that holds the record; null: the service's own"),
  idNumber: z.string().describe('Masked: the first three and last two digits'),
  fullName: z.string(),
  dateOfBirth: z.string(),
  sex: z.enum(['male', 'female']),
  permanentAddress: portalAddressSchema,
  currentAddress: portalAddressSchema,
  maritalStatus: z.string(),
  status: z.enum(['alive', 'deceased']),
  statusDate: z.string().nullable().describe('YYYY-MM-DD: date of death'),
  cardIssueDate: z.string().nullable(),
  cardExpiryDate: z.string().nullable(),
  source: z.enum(['generated', 'sync_run', 'follower', 'portal']).describe('Where the values came from'),
  label: portalRecordLabelSchema.nullable(),
  confirmedAt: z.string().nullable().describe('ISO 8601: last confirmed against the registry; null: never'),
  updatedAt: z.string().describe('ISO 8601'),
});
export type PortalRecordView = z.infer<typeof portalRecordViewSchema>;

export const portalRecordPageSchema = z.object({ records: z.array(portalRecordViewSchema), nextCursor: z.string().nullable() });
export type PortalRecordPage = z.infer<typeof portalRecordPageSchema>;

/** The query of GET /portal/v1/records: one service's records in record order, paged by the last record id. */
export const portalRecordQuerySchema = z.strictObject({
  serviceCode: serviceCodeSchema,
  cursor: blankIsAbsent(z.string().regex(/^\d{1,18}$/, { message: 'must be a nextCursor returned by this endpoint' }).optional()),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(500).default(100)),
});
export type PortalRecordQuery = z.output<typeof portalRecordQuerySchema>;
