import { z } from 'zod';
import { safeText } from '../common/validation.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import type { ConsumerEntity } from './consumer.entity.js';

/** Largest limits an operator may set: both columns are Postgres `integer`. */
const MAX_RATE_LIMIT_PER_SECOND = 1_000_000;
const MAX_DAILY_QUOTA = 2_000_000_000;

/**
 * The body of POST /access/v1/consumers. Whether a service code exists needs the catalog, so the check is passed
 * in: every broken rule, catalog ones included, comes back in one answer. The OpenAPI document uses
 * `consumerInputSchema(() => true)`.
 */
export function consumerInputSchema(isKnownService: (code: string) => boolean) {
  const grantedService = serviceCodeSchema.refine(
    // A malformed code already has its `format` error; calling it unknown too would only add noise.
    (code) => !serviceCodeSchema.safeParse(code).success || isKnownService(code),
    { message: 'is not a service of the catalog (see GET /portal/v1/services)', params: { rule: 'unknown_service' } },
  );
  return z.strictObject({
    name: safeText(200).trim().min(1),
    kind: z.enum(['state', 'non_state']).describe('`state` acts on a legal basis; `non_state` needs the citizen\'s consent'),
    serviceCodes: z
      .array(grantedService)
      .min(1)
      .max(500)
      .describe('Services (purposes) granted, codes of GET /portal/v1/services')
      // Repeating a code grants nothing more; keep the first of each.
      .transform((codes) => [...new Set(codes)]),
    rateLimitPerSecond: z.number().int().min(1).max(MAX_RATE_LIMIT_PER_SECOND).nullable().default(null).describe('Null or absent: the configured default'),
    dailyQuota: z.number().int().min(1).max(MAX_DAILY_QUOTA).nullable().default(null).describe('Registry calls per UTC day; null or absent: the configured default'),
  });
}
export type ConsumerInput = z.output<ReturnType<typeof consumerInputSchema>>;

/** A consumer id in a path. Any 8-4-4-4-12 hex string, as Postgres's uuid type accepts. */
export const consumerIdSchema = z.guid({ message: 'must be a UUID such as 3f2c8a4e-6b1d-4c3e-9a57-0d8e2f1b7c64' });

/** Today's audited registry calls of a consumer (UTC day): one record per call, one per item of a verify batch. */
export const usageTodaySchema = z.object({
  calls: z.number().int(),
  notFound: z.number().int().describe('Calls about an ID number the registry does not hold: many of them suggest an enumeration sweep'),
  refused: z.number().int().describe('Calls refused (service not granted, field outside the allow-list, no consent, rate or quota)'),
});
export type UsageToday = z.infer<typeof usageTodaySchema>;

/** A consumer as operators see it: never the key, only its first characters. */
export const consumerViewSchema = z.object({
  consumerId: z.string(),
  name: z.string(),
  kind: z.enum(['state', 'non_state']),
  serviceCodes: z.array(z.string()),
  keyPrefix: z.string().nullable().describe('The first characters of the current key, to tell keys apart'),
  keyIssuedAt: z.string().nullable(),
  keyRevokedAt: z.string().nullable(),
  keyActive: z.boolean().describe('Whether the consumer holds a usable key (issued and not revoked)'),
  isDeveloper: z.boolean().describe('The sandbox developer consumer: its key follows SANDBOX_DEVELOPER_KEY on every start'),
  isPortal: z.boolean().describe('The city portal\'s own consumer: it files dossiers, and its verification jobs call the registry as it; its key follows PORTAL_API_KEY'),
  selfService: z.boolean().describe('Registered by a developer through POST /sandbox/developers: granted every catalog service'),
  rateLimitPerSecond: z.number().int().nullable(),
  dailyQuota: z.number().int().nullable(),
  createdAt: z.string(),
  usageToday: usageTodaySchema,
});
export type ConsumerView = z.infer<typeof consumerViewSchema>;

/** A consumer with its new key: the only answer that ever carries a key in clear. */
export const consumerWithKeySchema = z.object({
  consumer: consumerViewSchema,
  apiKey: z.string().describe('The API key, shown this once: popgate keeps only its SHA-256'),
});
export type ConsumerWithKey = z.infer<typeof consumerWithKeySchema>;

export const consumerListSchema = z.object({ consumers: z.array(consumerViewSchema) });

export const NO_USAGE: UsageToday = { calls: 0, notFound: 0, refused: 0 };

export function toConsumerView(consumer: ConsumerEntity, usageToday: UsageToday = NO_USAGE): ConsumerView {
  return {
    consumerId: consumer.consumerId,
    name: consumer.name,
    kind: consumer.kind,
    serviceCodes: consumer.serviceCodes,
    keyPrefix: consumer.keyPrefix,
    keyIssuedAt: consumer.keyIssuedAt?.toISOString() ?? null,
    keyRevokedAt: consumer.keyRevokedAt?.toISOString() ?? null,
    keyActive: consumer.keyHash !== null && consumer.keyRevokedAt === null,
    isDeveloper: consumer.isDeveloper,
    isPortal: consumer.isPortal,
    selfService: consumer.selfService,
    rateLimitPerSecond: consumer.rateLimitPerSecond,
    dailyQuota: consumer.dailyQuota,
    createdAt: consumer.createdAt.toISOString(),
    usageToday,
  };
}

const bankView: ConsumerView = {
  consumerId: '3f2c8a4e-6b1d-4c3e-9a57-0d8e2f1b7c64',
  name: 'Ngân hàng TMCP Ví Dụ (eKYC)',
  kind: 'non_state',
  serviceCodes: ['2.001159'],
  keyPrefix: 'pgk_Zx3q',
  keyIssuedAt: '2026-11-28T08:00:00.000Z',
  keyRevokedAt: null,
  keyActive: true,
  isDeveloper: false,
  isPortal: false,
  selfService: false,
  rateLimitPerSecond: 20,
  dailyQuota: 50000,
  createdAt: '2026-11-28T08:00:00.000Z',
  usageToday: { calls: 1240, notFound: 3, refused: 1 },
};

/** Worked examples for the OpenAPI document. */
export const CONSUMER_EXAMPLES = {
  consumerId: bankView.consumerId,
  input: { name: bankView.name, kind: bankView.kind, serviceCodes: bankView.serviceCodes, rateLimitPerSecond: 20, dailyQuota: 50000 },
  created: { consumer: { ...bankView, usageToday: NO_USAGE }, apiKey: 'pgk_Zx3qT0d9m1Yk8r2VbLwQe5sHnJ4uC7fGa6iXoPzR0Ed' } satisfies ConsumerWithKey,
  view: bankView,
  list: {
    consumers: [
      bankView,
      {
        ...bankView,
        consumerId: '9d41b7e0-2c5a-4f0b-8e3d-6a1f9c2b7d55',
        name: 'Sandbox developer',
        kind: 'state',
        serviceCodes: ['1.004222', '2.001159'],
        keyPrefix: 'pgk_Ab12',
        isDeveloper: true,
        rateLimitPerSecond: null,
        dailyQuota: null,
        usageToday: { calls: 5210, notFound: 4800, refused: 0 },
      },
    ],
  } satisfies z.infer<typeof consumerListSchema>,
};
