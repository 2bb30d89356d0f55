import { z } from 'zod';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { blankIsAbsent, isoDateTimeSchema, safeText } from '../common/validation.js';
import { DISCREPANCY_KINDS, LABEL_KINDS } from './dossier-labels.js';

/** The most dossiers one generate request files (it answers when all are filed: see the README). */
export const MAX_GENERATED_DOSSIERS = 200_000;

export const generateDossiersSchema = z.strictObject({
  serviceCode: serviceCodeSchema.optional().describe('Every dossier for this service; absent: each dossier for a catalog service that suits its kind'),
  count: z.number().int().min(1).max(MAX_GENERATED_DOSSIERS).describe(`Dossiers to file, 1-${MAX_GENERATED_DOSSIERS.toLocaleString('en')}`),
  discrepancyRate: z.number().min(0).max(1).describe('Share of the dossiers with one labelled discrepancy each (0-1); rounded to whole dossiers'),
  seed: safeText(64).trim().min(1).describe('The same seed on the same dataset and catalog (and day) files the same applicants with the same labels'),
});
export type GenerateDossiersInput = z.output<typeof generateDossiersSchema>;

const countsByKind = z.object(Object.fromEntries(LABEL_KINDS.map((kind) => [kind, z.number().int()])) as Record<(typeof LABEL_KINDS)[number], z.ZodNumber>);

export const generatedDossiersSchema = z.object({
  seed: z.string(),
  serviceCode: z.string().nullable(),
  filed: z.number().int().describe('Dossiers filed (and queued for verification)'),
  queued: z.boolean().describe('Whether Redis took every job; if not, the outbox reconciler queues them later'),
  byKind: countsByKind.describe('Dossiers per label kind (`none`: clean)'),
  byService: z.record(z.string(), z.number().int()).describe('Dossiers per service code'),
  staleAddresses: z
    .object({
      changeHistory: z.number().int().describe('From the changes feed: the residence the citizen left in their last move'),
      synthesised: z.number().int().describe('No recorded move with its previous residence: another citizen\'s address, in another commune, stands for it'),
    })
    .describe('Where the stale addresses came from'),
  skippedKinds: z
    .array(z.object({ kind: z.enum(DISCREPANCY_KINDS), reason: z.string() }))
    .describe('Kinds not generated (no suitable service, or no citizen for them): their share went to the other kinds'),
  filedFrom: z.string().describe('ISO 8601: no dossier of this request was filed before (use as `from` of GET /portal/v1/quality)'),
  filedTo: z.string().describe('ISO 8601: every dossier of this request was filed before (use as `to`)'),
  durationMs: z.number().int(),
});
export type GeneratedDossiers = z.infer<typeof generatedDossiersSchema>;

const isoDateTime = isoDateTimeSchema('must be an ISO 8601 date-time with a time zone, such as 2026-12-01T00:00:00+07:00');

export const qualityQuerySchema = z.strictObject({
  serviceCode: blankIsAbsent(serviceCodeSchema.optional()),
  from: blankIsAbsent(isoDateTime.optional()).describe('Filed at or after'),
  to: blankIsAbsent(isoDateTime.optional()).describe('Filed before'),
});
export type QualityQuery = z.output<typeof qualityQuerySchema>;

export const kindQualitySchema = z.object({
  kind: z.enum(LABEL_KINDS),
  verdict: z.string().describe('The verdict class of the kind (see the description of the operation)'),
  mustPass: z.boolean().describe('A correct verifier lets these through; the other kinds it must catch'),
  dossiers: z.number().int().describe('Scored dossiers labelled with this kind'),
  truePositives: z.number().int().describe('Of this kind, and reached the verdict its label expects'),
  falseNegatives: z.number().int().describe('Of this kind, and did not reach the verdict its label expects'),
  falsePositives: z.number().int().describe('Of another kind, missed their own expected verdict, and landed in this kind\'s verdict class'),
  trueNegatives: z.number().int().describe('Of another kind, and not a false positive of this kind'),
  precision: z.number().nullable().describe('TP / (TP + FP); null when nothing landed in the class'),
  recall: z.number().nullable().describe('TP / (TP + FN); null when no dossier has the kind'),
});

export const qualityReportSchema = z.object({
  serviceCode: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  labelled: z.number().int().describe('Generated (labelled) dossiers that match the filters'),
  scored: z.number().int().describe('Of these, decided by the verifier: the population of every confusion matrix'),
  pending: z.number().int().describe('Not decided yet (left out)'),
  unscored: z.number().int().describe('Decided without a verdict on the data: `registry_unreachable` or `unprocessable` dead letters (left out)'),
  kinds: z.array(kindQualitySchema).describe('Every label kind, in the order of the vocabulary'),
});
export type QualityReport = z.infer<typeof qualityReportSchema>;
