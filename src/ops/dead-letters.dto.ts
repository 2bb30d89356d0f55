import { z } from 'zod';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { blankIsAbsent, isoDateTimeSchema } from '../common/validation.js';

const isoDateTime = isoDateTimeSchema('must be an ISO 8601 date-time with a time zone, such as 2026-12-01T00:00:00+07:00');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REASON_CLASSES = ['registry_unreachable', 'unprocessable', 'worker_lost'] as const;

/** What selects dead letters, for the list and for a re-drive. */
const filterFields = {
  serviceCode: blankIsAbsent(serviceCodeSchema.optional()),
  dossierId: blankIsAbsent(z.string().regex(UUID, { message: 'must be a dossier id (a UUID)' }).optional()),
  reasonClass: blankIsAbsent(z.enum(REASON_CLASSES).optional()).describe('`registry_unreachable`: every attempt failed; `unprocessable`: the job could never run; `worker_lost`: the workers running it died more often than a job may stall'),
  from: blankIsAbsent(isoDateTime.optional()).describe('Failed at or after'),
  to: blankIsAbsent(isoDateTime.optional()).describe('Failed before'),
};

export const deadLetterQuerySchema = z.strictObject({
  ...filterFields,
  includeRedriven: blankIsAbsent(z.enum(['true', 'false']).default('false')).describe('`true` lists dead letters already re-driven too'),
  cursor: blankIsAbsent(z.string().regex(/^\d{1,18}$/, { message: 'must be a nextCursor returned by this endpoint' }).optional()),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(200).default(50)),
});

/** A re-drive names what to re-drive: at least one filter, so that an empty body cannot re-drive everything by mistake. */
export const redriveSchema = z
  .strictObject({ ...filterFields, all: z.boolean().optional().describe('`true` to re-drive every open dead letter (no filter needed)') })
  .refine((body) => body.all === true || Object.entries(body).some(([key, value]) => key !== 'all' && value !== undefined), {
    message: 'name at least one filter (serviceCode, dossierId, reasonClass, from, to), or send all: true',
    params: { rule: 'filter_required' },
  });

export const deadLetterViewSchema = z.object({
  deadLetterId: z.string(),
  dossierId: z.string(),
  serviceCode: z.string(),
  jobId: z.string(),
  reasonClass: z.enum(REASON_CLASSES),
  error: z.string().describe('The last failure, as the job saw it (no personal data: codes and ids)'),
  attempts: z.number().int(),
  failedAt: z.string(),
  redrivenAt: z.string().nullable(),
});
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;

export const deadLetterPageSchema = z.object({ deadLetters: z.array(deadLetterViewSchema), nextCursor: z.string().nullable() });
export const redriveResultSchema = z.object({
  redriven: z.number().int().describe('Dead letters re-driven: each dossier is `received` again and its job queued under its own job id'),
  dossierIds: z.array(z.string()),
});

export const verificationJobQuerySchema = z.strictObject({
  dossierId: blankIsAbsent(z.string().regex(UUID, { message: 'must be a dossier id (a UUID)' }).optional()),
  serviceCode: blankIsAbsent(serviceCodeSchema.optional()),
  state: blankIsAbsent(z.enum(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']).optional()),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(500).default(50)),
});

export const verificationJobViewSchema = z.object({
  jobId: z.string(),
  dossierId: z.string(),
  serviceCode: z.string().nullable().describe('Of the dossier, from Postgres; null when the dossier is gone'),
  state: z.string().describe('BullMQ state: waiting (also while the queue is paused), active, delayed, completed, failed, prioritized, or unknown'),
  attemptsMade: z.number().int(),
  failedReason: z.string().nullable(),
  queuedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export const verificationJobListSchema = z.object({ jobs: z.array(verificationJobViewSchema) });
