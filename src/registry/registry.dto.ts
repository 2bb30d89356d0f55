import { z } from 'zod';
import { safeText } from '../common/validation.js';
import { validateIdNumber } from './identity/id-number.js';
import { parseRequestedDate } from './identity/birth-date.js';
import { PERSONA_EARLIEST_REFERENCE_DATE } from './sandbox-data/personas.js';

/** Longest input we look at for an ID number: enough to report a wrong length, short enough to bound the work. */
const MAX_ID_INPUT = 64;

/** A personal ID number: every broken rule of `validateIdNumber` becomes its own field error. */
export const idNumberSchema = z
  .string()
  .max(MAX_ID_INPUT)
  .superRefine((value, context) => {
    for (const violation of validateIdNumber(value)) {
      context.addIssue({ code: 'custom', message: violation.message, params: { rule: violation.rule } });
    }
  });

/** A date of birth as callers send it: `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or the chip card QR's `DDMMYYYY`. */
export const requestedBirthDateSchema = z
  .string()
  .max(10)
  .superRefine((value, context) => {
    const parsed = parseRequestedDate(value);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.message, params: { rule: 'date_format' } });
  });

export const verifyRequestSchema = z.strictObject({
  idNumber: idNumberSchema,
  fullName: safeText(200).min(1),
  dateOfBirth: requestedBirthDateSchema,
  sex: z.enum(['male', 'female']).optional(),
});
export type VerifyRequest = z.output<typeof verifyRequestSchema>;

/** Verify-batch size limit: one round trip serves up to this many items. */
export const MAX_VERIFY_BATCH = 1_000;

export const verifyBatchRequestSchema = z.strictObject({
  items: z.array(z.unknown()).min(1),
});

export const changesQuerySchema = z.strictObject({
  since: z
    .string()
    .regex(/^\d{1,18}$/, { message: 'must be a cursor returned by this feed (digits), or 0 for the beginning' })
    .default('0'),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

export const householdIdSchema = z.string().regex(/^[A-Z]{2,3}\d{1,12}$/, { message: 'must look like HH0000000001' });

/** The generator's "today". The personas' newborn has a fixed 2026 birth date (so that its number never changes). */
export const referenceDateSchema = z.iso
    .date()
    .refine((date) => date >= PERSONA_EARLIEST_REFERENCE_DATE, {
      message: `must be ${PERSONA_EARLIEST_REFERENCE_DATE} or later (the personas' newborn is born the day before)`,
      params: { rule: 'min_date' },
    })
    .refine((date) => date <= '2100-12-31', { message: 'must be 2100-12-31 or earlier', params: { rule: 'max_date' } });

/** The dataset a seed or reset loads: the same three values give the same rows. */
export const datasetSeedSchema = z.string().min(1).max(64).regex(/^[\w.:-]+$/, { message: 'letters, digits, and . _ : - only' });

export const resetRequestSchema = z.strictObject({
  seed: datasetSeedSchema,
  citizens: z.number().int().min(0).max(1_000_000),
  referenceDate: referenceDateSchema.optional(),
});

/** Response shapes, for the OpenAPI document. */
export const fieldCheckSchema = z.enum(['exact', 'normalized', 'partial', 'mismatch']);
export const verifyResultSchema = z.object({
  verdict: z.enum(['match', 'mismatch', 'not_found']),
  citizenStatus: z.enum(['alive', 'deceased', 'missing']).nullable(),
  checks: z.object({
    idNumber: fieldCheckSchema,
    fullName: fieldCheckSchema,
    dateOfBirth: fieldCheckSchema,
    sex: fieldCheckSchema.optional(),
  }),
});
export type VerifyResult = z.output<typeof verifyResultSchema>;
