import { z } from 'zod';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { blankIsAbsent, isoDateSchema, isoDateTimeSchema, safeText } from '../common/validation.js';
import { idNumberSchema } from '../identity/identity-schemas.js';

export type DecisionReason =
  | 'citizen_not_found'
  | 'field_mismatch'
  | 'citizen_deceased'
  | 'citizen_missing'
  | 'under_age'
  | 'not_verifiable'
  | 'registry_refused'
  | 'registry_unreachable'
  | 'unprocessable'
  | 'worker_lost';

/** Every reason a decision (or a dead letter) can give, for filters and the OpenAPI document. */
export const DECISION_REASONS: readonly DecisionReason[] = [
  'citizen_not_found',
  'field_mismatch',
  'citizen_deceased',
  'citizen_missing',
  'under_age',
  'not_verifiable',
  'registry_refused',
  'registry_unreachable',
  'unprocessable',
  'worker_lost',
];

/** An address as the applicant typed it: the commune (2025 map code) and the rest of the address. */
export const applicantAddressSchema = z.strictObject({
  detail: safeText(300).trim().min(1).describe('House number, street, hamlet: what comes before the commune'),
  communeCode: z.string().regex(/^\d{5}$/, { message: 'must be a 5-digit commune code of the 2025 map' }),
});
export type ApplicantAddress = z.output<typeof applicantAddressSchema>;

/** What a citizen typed into the portal's form. */
export const applicantSchema = z.strictObject({
  idNumber: idNumberSchema,
  fullName: safeText(200).trim().min(1),
  dateOfBirth: isoDateSchema().refine((value) => !/^\d{4}-\d{2}-\d{2}$/.test(value) || value <= new Date().toISOString().slice(0, 10), {
    message: 'must not be in the future',
    params: { rule: 'future_date' },
  }),
  sex: z.enum(['male', 'female']).optional(),
  permanentAddress: applicantAddressSchema.optional(),
  currentAddress: applicantAddressSchema.optional(),
  /** The service's other fields (a purpose, a plate number...), kept with the dossier, not checked against the registry. */
  otherFields: z.record(z.string().regex(/^[A-Za-z][\w]{0,63}$/, { message: 'must be a field name of 1-64 letters, digits or _' }), safeText(1_000)).optional(),
});
export type Applicant = z.output<typeof applicantSchema>;

export const fileDossierSchema = z.strictObject({
  serviceCode: serviceCodeSchema,
  applicant: applicantSchema,
});
export type FileDossierInput = z.output<typeof fileDossierSchema>;

/** The Idempotency-Key header: a client's token, as Stripe and the IETF draft have it. */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, { message: 'must be 1-255 visible ASCII characters' });

export const DOSSIER_STATUSES = ['received', 'verifying', 'verified', 'needs_review', 'rejected'] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

const fieldResultSchema = z.enum(['exact', 'normalized', 'partial', 'mismatch', 'not_checked']);

export const dossierEventSchema = z.object({
  status: z.enum([...DOSSIER_STATUSES]),
  reason: z.enum(DECISION_REASONS).nullable(),
  note: z.string().nullable(),
  at: z.string().describe('ISO 8601'),
});

export const verificationAttemptSchema = z.object({
  jobId: z.string(),
  attempt: z.number().int().describe('1 for the first run of the job'),
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['decided', 'retry', 'delayed', 'dead_letter', 'discarded']).describe(
    '`decided`: this attempt decided the dossier; `retry`: a transient failure, retried with backoff; `delayed`: a rate limit, ' +
      'retried after its Retry-After without spending an attempt; `dead_letter`: the last attempt failed; `discarded`: the registry ' +
      'dataset was reset meanwhile, so its answers were dropped and the job ran again',
  ),
  problemCode: z.string().nullable().describe('The registry\'s problem code when a call failed'),
  calls: z.array(z.object({ callId: z.string().nullable().describe('The call\'s row in GET /journal/v1/calls/{callId}'), operation: z.string(), outcome: z.string() })),
});

export const dossierViewSchema = z.object({
  dossierId: z.string(),
  serviceCode: z.string(),
  status: z.enum([...DOSSIER_STATUSES]),
  reason: z.enum(DECISION_REASONS).nullable().describe('Why a dossier needs review or was rejected'),
  reasonDetail: z.string().nullable(),
  applicant: z.object({
    idNumber: z.string().describe('Masked: the first three and last three digits'),
    fullName: z.string(),
    dateOfBirth: z.string(),
    sex: z.enum(['male', 'female']).nullable(),
    communeCode: z.string().nullable().describe('Of the current address, else of the permanent address'),
  }),
  verification: z
    .object({
      fields: z.record(z.string(), fieldResultSchema).describe('Per field the applicant gave: how it compared with the registry'),
      citizenStatus: z.enum(['alive', 'deceased', 'missing']).nullable(),
      age: z.number().int().nullable().describe('Whole years on the filing day, from the birth date the registry confirmed'),
    })
    .nullable(),
  label: z
    .object({ kind: z.string(), expected: z.string() })
    .nullable()
    .describe('Generated dossiers only: the discrepancy put in, and the verdict a correct verifier reaches'),
  filedAt: z.string(),
  decidedAt: z.string().nullable(),
  timeToDecisionMs: z.number().nullable().describe('From filing to decision'),
  attempts: z.number().int().describe('Job runs so far'),
});
export type DossierView = z.infer<typeof dossierViewSchema>;

export const dossierDetailSchema = dossierViewSchema.extend({
  history: z.array(dossierEventSchema),
  verificationAttempts: z.array(verificationAttemptSchema),
});
export type DossierDetail = z.infer<typeof dossierDetailSchema>;

export const dossierPageSchema = z.object({ dossiers: z.array(dossierViewSchema), nextCursor: z.string().nullable() });

const isoDateTime = isoDateTimeSchema('must be an ISO 8601 date-time with a time zone, such as 2026-12-01T00:00:00+07:00');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The query of GET /portal/v1/dossiers: newest first, paged by the last dossier id of the previous page. */
export const dossierQuerySchema = z.strictObject({
  serviceCode: blankIsAbsent(serviceCodeSchema.optional()),
  status: blankIsAbsent(z.enum([...DOSSIER_STATUSES]).optional()),
  communeCode: blankIsAbsent(z.string().regex(/^\d{5}$/, { message: 'must be a 5-digit commune code' }).optional()),
  reason: blankIsAbsent(z.enum(DECISION_REASONS).optional()),
  from: blankIsAbsent(isoDateTime.optional()).describe('Filed at or after'),
  to: blankIsAbsent(isoDateTime.optional()).describe('Filed before'),
  cursor: blankIsAbsent(z.string().regex(UUID, { message: 'must be a nextCursor returned by this endpoint' }).optional()),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(200).default(50)),
});
export type DossierQuery = z.output<typeof dossierQuerySchema>;

export const dossierIdParamSchema = z.string().regex(UUID, { message: 'must be a dossier id (a UUID)' });
