import { z } from 'zod';
import { isoDateSchema, safeText } from '../common/validation.js';
import { idNumberSchema } from '../identity/identity-schemas.js';

const isoDate = isoDateSchema();

const addressInputSchema = z.strictObject({
  detail: safeText(200).min(1),
  communeCode: z.string().regex(/^\d{5}$/, { message: 'must be a 5-digit commune code of the 2025 map' }),
});

/** The change events a sandbox user can record; each updates the record and appends to the changes feed. */
export const registryEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('move'),
    idNumber: idNumberSchema,
    residence: z.enum(['permanent', 'temporary']).default('permanent'),
    address: addressInputSchema,
    date: isoDate.optional(),
  }),
  z.strictObject({ kind: z.literal('death'), idNumber: idNumberSchema, date: isoDate }),
  z.strictObject({ kind: z.literal('missing'), idNumber: idNumberSchema, date: isoDate }),
  z.strictObject({ kind: z.literal('marriage'), idNumber: idNumberSchema, spouseIdNumber: idNumberSchema, date: isoDate.optional() }),
  z.strictObject({ kind: z.literal('divorce'), idNumber: idNumberSchema, date: isoDate.optional() }),
  z.strictObject({ kind: z.literal('new_card'), idNumber: idNumberSchema, date: isoDate.optional() }),
  z.strictObject({
    kind: z.literal('birth'),
    motherIdNumber: idNumberSchema,
    fatherIdNumber: idNumberSchema.optional(),
    middleName: safeText(60).min(1),
    givenName: safeText(40).min(1),
    sex: z.enum(['male', 'female']),
    date: isoDate.optional(),
  }),
]);
export type RegistryEventRequest = z.output<typeof registryEventSchema>;
