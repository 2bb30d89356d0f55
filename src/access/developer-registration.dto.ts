import { z } from 'zod';
import { safeText } from '../common/validation.js';
import type { ConsumerView } from './consumer.dto.js';

/**
 * The body of POST /sandbox/developers: a name and nothing else. Kind, grants and limits are not the developer's to
 * choose: a state consumer, every catalog service, the configured default limits.
 */
export const developerInputSchema = z.strictObject({
  name: safeText(200).trim().min(1).describe('Your name or your team\'s, unique among consumers (case aside)'),
});

/** The persona every quick start looks up: present in every dataset. */
const TRY_IT = 'GET /registry/v1/citizens/001090999921?fields=fullName,dateOfBirth';

/** The answer of POST /sandbox/developers: the new consumer, its key (this once) and how to call with it. */
export const developerRegistrationSchema = z.object({
  consumerId: z.string().describe('Your consumer\'s id: the journal and the audit name your calls with it'),
  name: z.string(),
  kind: z.literal('state'),
  serviceCodes: z.array(z.string()).describe('Every service of the catalog; a service added later is granted to you at once'),
  apiKey: z.string().describe('Your API key, shown in this answer only: popgate keeps its SHA-256'),
  howToCall: z.object({
    headers: z.object({ Authorization: z.string(), 'X-Service-Code': z.string() }).describe('The headers of every registry call'),
    tryIt: z.string().describe('A first call, about a persona present in every dataset'),
    services: z.string().describe('The catalog: send the code of your real procedure as X-Service-Code to get its allow-list'),
    journal: z.string().describe('Your calls, with this key: yours only'),
    note: z.string(),
  }),
});
export type DeveloperRegistration = z.infer<typeof developerRegistrationSchema>;

export function toDeveloperRegistration(consumer: Pick<ConsumerView, 'consumerId' | 'name' | 'serviceCodes'>, apiKey: string): DeveloperRegistration {
  return {
    consumerId: consumer.consumerId,
    name: consumer.name,
    kind: 'state',
    serviceCodes: consumer.serviceCodes,
    apiKey,
    howToCall: {
      headers: { Authorization: `Bearer ${apiKey}`, 'X-Service-Code': 'SANDBOX-ALL' },
      tryIt: TRY_IT,
      services: 'GET /portal/v1/services',
      journal: 'GET /journal/v1/calls',
      note:
        'The key is shown only in this answer; popgate keeps its SHA-256 and cannot show it again. If you lose it, ' +
        'register again under another name. SANDBOX-ALL allows every field, for exploring; an integration should send ' +
        'the code of its real procedure, whose allow-list then applies.',
    },
  };
}

/** Worked examples for the OpenAPI document: the catalog of config/public-services.json. */
export const DEVELOPER_EXAMPLES = {
  input: { name: 'Nhóm tích hợp cổng dịch vụ công Hải Phòng' },
  registered: toDeveloperRegistration(
    {
      consumerId: '7b3e9c12-4f6a-4d2b-9e81-5a0c7d3f2b64',
      name: 'Nhóm tích hợp cổng dịch vụ công Hải Phòng',
      serviceCodes: [
        '1.000466', '1.000656', '1.000894', '1.001193', '1.001456', '1.004194', '1.004222', '2.000200', '2.001159',
        '2.002913', '3.000333', '3.000346', '3.000722', 'P06-04', 'P06-07', 'P06-08', 'P06-10', 'P06-11', 'P06-18',
        'P06-19', 'P06-21', 'P06-22', 'P06-23', 'P06-24', 'PORTAL-FEED', 'SANDBOX-ALL',
      ],
    },
    'pgk_Qm7vR2xT9bLk4nWc8sHj1dFy6pAe3uZo5gVi0rNtXwE',
  ),
};
