import { z } from 'zod';
import { isoDateTimeSchema } from '../common/validation.js';
import { registryFieldSchema, serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { REGISTRY_FIELD_BY_NAME } from '../catalog/registry-fields.js';
import { idNumberSchema } from '../identity/identity-schemas.js';
import type { ConsentEntity } from './consent.entity.js';

/**
 * The body of POST /sandbox/consents. Whether the service exists and which fields it allows needs the catalog, so
 * its allow-list is passed in (undefined: no such service): every broken rule, catalog ones included, comes back in
 * one answer. The OpenAPI document uses `consentInputSchema(() => undefined)`; refinements do not show there.
 */
export function consentInputSchema(allowListOf: (serviceCode: string) => ReadonlySet<string> | undefined, now: () => Date = () => new Date()) {
  return z
    .strictObject({
      idNumber: idNumberSchema.describe('The consenting citizen\'s personal ID number (stored only as an HMAC and a mask)'),
      consumerId: z.guid({ message: 'must be a UUID such as 3f2c8a4e-6b1d-4c3e-9a57-0d8e2f1b7c64' }).describe('The non-state consumer the consent is given to'),
      serviceCode: serviceCodeSchema.describe('The purpose: a catalog service granted to that consumer'),
      fields: z
        .array(registryFieldSchema)
        .min(1)
        .max(REGISTRY_FIELD_BY_NAME.size)
        .describe('Registry fields the consumer may read for this purpose; each must be in the service\'s allow-list')
        // Naming a field twice consents to nothing more; keep the first of each.
        .transform((fields) => [...new Set(fields)]),
      expiresAt: isoDateTimeSchema('must be an ISO 8601 date-time with a time zone, such as 2027-06-30T23:59:59+07:00')
        .refine((value) => Date.parse(value) > now().getTime(), { message: 'must be in the future', params: { rule: 'future' } })
        .describe('When the consent lapses (ISO 8601 with a time zone)'),
    })
    .superRefine((input, context) => {
      // Written defensively: it also runs when other properties already failed.
      if (typeof input.serviceCode !== 'string' || !serviceCodeSchema.safeParse(input.serviceCode).success) return;
      const allowed = allowListOf(input.serviceCode);
      if (!allowed) {
        context.addIssue({
          code: 'custom',
          path: ['serviceCode'],
          message: 'is not a service of the catalog (see GET /portal/v1/services)',
          params: { rule: 'unknown_service' },
        });
        return;
      }
      if (!Array.isArray(input.fields)) return;
      input.fields.forEach((name, index) => {
        if (typeof name === 'string' && REGISTRY_FIELD_BY_NAME.has(name) && !allowed.has(name)) {
          context.addIssue({
            code: 'custom',
            path: ['fields', index],
            message: `"${name}" is not in the allow-list of service ${input.serviceCode}`,
            params: { rule: 'not_in_allow_list' },
          });
        }
      });
    });
}
export type ConsentInput = z.output<ReturnType<typeof consentInputSchema>>;

/** A consent id in a path. */
export const consentIdSchema = z.guid({ message: 'must be a UUID such as 7b0e4c1a-93f2-4d6e-8a15-2c9f0b3d6e81' });

/** The query of GET /sandbox/consents. */
export const consentListQuerySchema = z.strictObject({ idNumber: idNumberSchema.describe('The citizen\'s 12-digit personal ID number') });

/** A consent as operators see it: the citizen only masked, never the clear number. */
export const consentViewSchema = z.object({
  consentId: z.string(),
  citizen: z.string().describe('The citizen\'s masked ID number (`001*******21`)'),
  consumerId: z.string(),
  serviceCode: z.string(),
  fields: z.array(z.string()),
  expiresAt: z.string().describe('ISO 8601'),
  createdAt: z.string().describe('ISO 8601'),
  revokedAt: z.string().nullable().describe('ISO 8601 time of the first revocation; null while not revoked'),
});
export type ConsentView = z.infer<typeof consentViewSchema>;

export const consentListSchema = z.object({ consents: z.array(consentViewSchema) });

export function toConsentView(consent: ConsentEntity): ConsentView {
  return {
    consentId: consent.consentId,
    citizen: consent.citizenMasked,
    consumerId: consent.consumerId,
    serviceCode: consent.serviceCode,
    fields: consent.fields,
    expiresAt: consent.expiresAt.toISOString(),
    createdAt: consent.createdAt.toISOString(),
    revokedAt: consent.revokedAt?.toISOString() ?? null,
  };
}

const bankConsent: ConsentView = {
  consentId: '7b0e4c1a-93f2-4d6e-8a15-2c9f0b3d6e81',
  citizen: '001*******21',
  consumerId: '3f2c8a4e-6b1d-4c3e-9a57-0d8e2f1b7c64',
  serviceCode: '2.001159',
  fields: ['idNumber', 'fullName', 'dateOfBirth'],
  expiresAt: '2027-06-30T16:59:59.000Z',
  createdAt: '2026-11-28T08:00:00.000Z',
  revokedAt: null,
};

/** Worked examples for the OpenAPI document. */
export const CONSENT_EXAMPLES = {
  consentId: bankConsent.consentId,
  idNumber: '001090999921',
  input: {
    idNumber: '001090999921',
    consumerId: bankConsent.consumerId,
    serviceCode: bankConsent.serviceCode,
    fields: bankConsent.fields,
    expiresAt: '2027-06-30T23:59:59+07:00',
  },
  created: bankConsent,
  list: {
    consents: [bankConsent, { ...bankConsent, consentId: '0c6f2d9b-1e47-4a38-b5d0-9f7e3a2c1b64', fields: ['fullName'], revokedAt: '2026-11-20T03:15:00.000Z' }],
  } satisfies z.infer<typeof consentListSchema>,
};
