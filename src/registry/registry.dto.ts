import { z } from 'zod';
import { fieldErrorSchema } from '../common/domain-error.js';
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

/**
 * The body of a verify batch, for the OpenAPI document. RegistryService reads the items one by one instead (an invalid
 * item gets an error entry in its place, and a batch over the limit is a 413), so this documents what a valid body is.
 */
export const verifyBatchRequestSchema = z.strictObject({
  items: z.array(verifyRequestSchema).min(1).max(MAX_VERIFY_BATCH),
});

export const changesQuerySchema = z.strictObject({
  since: z
    .string()
    .regex(/^\d{1,18}$/, { message: 'must be a cursor returned by this feed (digits), or 0 for the beginning' })
    .default('0')
    .describe('The `nextCursor` of the previous page; 0 for the beginning'),
  limit: z.coerce.number().int().min(1).max(1_000).default(100).describe('Events per page'),
});

export const householdIdSchema = z.string().regex(/^[A-Z]{2,3}\d{1,12}$/, { message: 'must look like HH0000000001' });

/**
 * Response shapes. The OpenAPI document is generated from them, and the code that builds each answer is typed by them
 * (or checked against them in citizen-fields.spec.ts), so the document says what is sent.
 */
export const sexSchema = z.enum(['male', 'female']);
export const citizenStatusSchema = z.enum(['alive', 'deceased', 'missing']);
export const maritalStatusSchema = z.enum(['single', 'married', 'divorced', 'widowed']);
export const householdRelationshipSchema = z.enum(['head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other']);

/** An address (see Address in citizen.ts): two levels since July 2025, three on older records. */
export const addressSchema = z.object({
  detail: z.string(),
  communeCode: z.string().nullable().describe('Commune of the 2025 map; null on a pre-2025 address whose commune no longer exists'),
  communeName: z.string(),
  districtName: z.string().nullable().describe('Only on pre-2025 three-level addresses'),
  provinceCode: z.string(),
  provinceName: z.string(),
});

/** The ID card block (item 14). */
export const idCardSchema = z.object({
  issueDate: z.string().describe('YYYY-MM-DD'),
  issuePlace: z.string().describe('The issuing authority printed on the card'),
  expiryDate: z.string().nullable().describe('YYYY-MM-DD; null when the card never expires'),
});

/** A parent or spouse: by number when in the registry (a foreign spouse has none). */
export const relativeSchema = z.object({ idNumber: z.string().nullable(), fullName: z.string(), nationality: z.string().describe('ISO 3166-1 alpha-2') });
export const childSchema = z.object({ idNumber: z.string(), fullName: z.string(), nationality: z.string() });

/** A field of GET /registry/v1/fields. */
export const registryFieldViewSchema = z.object({
  name: z.string(),
  vietnamese: z.string().describe('The term of the Law on Identification 2023, art. 9'),
  lawItem: z.number().int().describe('Item of art. 9'),
  sensitive: z.boolean().describe('Returned only when named (Law 91/2025, Decree 356/2025)'),
  description: z.string(),
});

export const fieldCheckSchema = z.enum(['exact', 'normalized', 'partial', 'mismatch']);
export const verifyResultSchema = z.object({
  verdict: z.enum(['match', 'mismatch', 'not_found']),
  citizenStatus: citizenStatusSchema.nullable().describe('Given on a match only'),
  checks: z.object({
    idNumber: fieldCheckSchema,
    fullName: fieldCheckSchema,
    dateOfBirth: fieldCheckSchema,
    sex: fieldCheckSchema.optional().describe('When the request gave sex'),
  }),
});
export type VerifyResult = z.output<typeof verifyResultSchema>;

/** A verify-batch entry: the item's result, or the validation problem (or consent refusal) of that item alone. */
export const verifyBatchEntrySchema = z.union([
  verifyResultSchema.extend({ index: z.number().int().describe('Position of the item in `items`') }),
  z.object({
    index: z.number().int(),
    error: z.object({ code: z.string().describe('`validation_failed` or `consent_required`'), detail: z.string(), errors: z.array(fieldErrorSchema) }),
  }),
]);
export type VerifyBatchEntry = z.output<typeof verifyBatchEntrySchema>;
export const verifyBatchResultSchema = z.object({ results: z.array(verifyBatchEntrySchema).describe('One entry per item, in the order of the items') });

export const householdMemberSchema = z.object({
  idNumber: z.string(),
  fullName: z.string(),
  dateOfBirth: z.string(),
  sex: sexSchema,
  relationship: householdRelationshipSchema.describe('Relationship to the head'),
  status: citizenStatusSchema,
});
export type HouseholdMember = z.output<typeof householdMemberSchema>;
export const householdSchema = z.object({
  householdId: z.string(),
  address: addressSchema,
  head: z.object({ idNumber: z.string(), fullName: z.string().nullable().describe('Null when the head is no longer a member') }),
  members: z.array(householdMemberSchema).describe('The head first, then by relationship and date of birth'),
});
export type HouseholdAnswer = z.output<typeof householdSchema>;

/**
 * Change events, by kind. Every member of `details` is optional: an event recorded through POST
 * /sandbox/registry/events carries them all, an event of the seeded dataset may carry none (a persona's move carries
 * only `fromCommuneCode` and `toCommuneCode`).
 */
const isoDate = z.string().describe('YYYY-MM-DD');
const changeDetailsByKind = {
  move: z.object({
    residence: z.enum(['permanent', 'temporary']).optional(),
    from: addressSchema.nullable().optional().describe('The residence before the move; null when there was none'),
    to: addressSchema.optional(),
    fromCommuneCode: z.string().optional(),
    toCommuneCode: z.string().optional(),
  }),
  death: z.object({ date: isoDate.optional() }),
  missing: z.object({ date: isoDate.optional() }),
  marriage: z.object({ date: isoDate.optional(), spouseIdNumber: z.string().optional() }),
  divorce: z.object({ date: isoDate.optional(), formerSpouseIdNumber: z.string().nullable().optional() }),
  new_card: z.object({ card: idCardSchema.optional(), previousCard: idCardSchema.nullable().optional() }),
  birth: z.object({ date: isoDate.optional(), motherIdNumber: z.string().optional(), fatherIdNumber: z.string().nullable().optional(), householdId: z.string().optional() }),
};
export type ChangeKind = keyof typeof changeDetailsByKind;

function changeEventOf<K extends ChangeKind>(kind: K) {
  return z.object({
    cursor: z.string().describe('Pass the last one as `since` to read on from it'),
    kind: z.literal(kind),
    idNumber: z.string().describe('The citizen the event is about'),
    occurredAt: z.string().describe('ISO 8601'),
    recordedAt: z.string().describe('ISO 8601'),
    details: changeDetailsByKind[kind],
  });
}
export const changeEventSchema = z.discriminatedUnion('kind', [
  changeEventOf('move'),
  changeEventOf('death'),
  changeEventOf('missing'),
  changeEventOf('marriage'),
  changeEventOf('divorce'),
  changeEventOf('new_card'),
  changeEventOf('birth'),
]);
export type ChangeEvent = z.output<typeof changeEventSchema>;
/** The details of one kind of event, for the code that records them. */
export type ChangeDetails<K extends ChangeKind = ChangeKind> = z.output<(typeof changeDetailsByKind)[K]>;
/** An event before the feed numbers and dates it: what RegistryEventsService writes. */
export type PendingChange = { [K in ChangeKind]: { kind: K; idNumber: string; details: ChangeDetails<K> } }[ChangeKind];

export const changesPageSchema = z.object({
  events: z.array(changeEventSchema),
  nextCursor: z.string().describe('The cursor of the last event, or `since` again on an empty page'),
  hasMore: z.boolean().describe('Whether another page is ready at once'),
});
export type ChangesPage = z.output<typeof changesPageSchema>;

/** The answer of POST /sandbox/registry/events. */
export const recordedChangesSchema = z.object({ changes: z.array(changeEventSchema).describe('The events appended to the feed (a marriage or divorce appends one per spouse)') });
