import { z } from 'zod';
import type { PublicServiceInput } from '../catalog/service-catalog.service.js';
import type { PublicServiceEntity } from '../catalog/public-service.entity.js';

/** A catalog service as the portal API shows it. */
export const publicServiceViewSchema = z.object({
  code: z.string().describe('National administrative-procedure code where known, else a stable local code (`P06-NN`)'),
  nationalProcedureCode: z.string().nullable(),
  project06Number: z.number().int().nullable().describe('Row of the Decision 06/QĐ-TTg annex, for the essential services'),
  nameVi: z.string(),
  nameEn: z.string(),
  leadAgency: z.string(),
  essential: z.boolean(),
  allowedFields: z.array(z.string()).describe('Fields of GET /registry/v1/fields that a call for this service may read'),
  note: z.string().nullable(),
  minimumAge: z.number().int().nullable().describe('The youngest applicant the service accepts, in whole years on the day of filing (dossier verification rejects a younger one); null: no age rule'),
  source: z.enum(['config', 'api']).describe('`config`: config/public-services.json (re-applied on every start); `api`: set by an operator'),
  updatedAt: z.string().describe('ISO 8601 time of the last change'),
});
export type PublicServiceView = z.infer<typeof publicServiceViewSchema>;

export const publicServiceListSchema = z.object({ services: z.array(publicServiceViewSchema) });

export function toPublicServiceView(service: PublicServiceEntity): PublicServiceView {
  return {
    code: service.code,
    nationalProcedureCode: service.nationalProcedureCode,
    project06Number: service.project06Number,
    nameVi: service.nameVi,
    nameEn: service.nameEn,
    leadAgency: service.leadAgency,
    essential: service.essential,
    allowedFields: service.allowedFields,
    note: service.note,
    minimumAge: service.minimumAge,
    source: service.source,
    updatedAt: service.updatedAt.toISOString(),
  };
}

const permanentResidenceInput: PublicServiceInput = {
  nationalProcedureCode: '1.004222',
  project06Number: 2,
  nameVi: 'Đăng ký thường trú',
  nameEn: 'Permanent residence registration',
  leadAgency: 'Bộ Công an',
  essential: true,
  allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'permanentAddress', 'currentAddress', 'household', 'father', 'mother', 'spouse'],
  note: null,
  minimumAge: null,
};

/** Worked examples for the OpenAPI document. */
export const PUBLIC_SERVICE_EXAMPLES = {
  code: '1.004222',
  input: permanentResidenceInput,
  localInput: {
    nameVi: 'Cấp thẻ thư viện thành phố',
    nameEn: 'City library card',
    leadAgency: 'Sở Văn hóa và Thể thao',
    allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'currentAddress'],
    note: 'Local procedure of the city',
  },
  view: { code: '1.004222', ...permanentResidenceInput, source: 'config', updatedAt: '2026-11-28T08:00:00.000Z' } satisfies PublicServiceView,
  localView: {
    code: 'HN-LIB-01',
    nationalProcedureCode: null,
    project06Number: null,
    nameVi: 'Cấp thẻ thư viện thành phố',
    nameEn: 'City library card',
    leadAgency: 'Sở Văn hóa và Thể thao',
    essential: false,
    allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'currentAddress'],
    note: 'Local procedure of the city',
    minimumAge: null,
    source: 'api',
    updatedAt: '2026-11-28T09:30:00.000Z',
  } satisfies PublicServiceView,
};
