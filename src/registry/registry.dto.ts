import { z } from 'zod';
import { safeText } from '../common/validation.js';
import { idNumberSchema, requestedBirthDateSchema } from '../identity/identity-schemas.js';

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
