import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiJsonResponse, ApiProblems, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { blankIsAbsent, isoDateTimeSchema, parseInput } from '../common/validation.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { idNumberSchema } from '../identity/identity-schemas.js';
import { AdminGuard } from './admin.guard.js';
import { DOSSIER_ID_PATTERN, DOSSIER_ID_RULE } from './call-purpose.js';
import { AuditQueryRepository, MAX_AUDIT_ID, type AuditRecord } from './audit-query.repository.js';
import { CitizenHmac } from './citizen-hmac.js';

const MAX_PAGE = 200;
const DEFAULT_PAGE = 50;

const pageQuery = {
  cursor: blankIsAbsent(
    z
      .string()
      // An audit_id, a Postgres bigint: a larger number would fail in Postgres instead of here.
      .refine((cursor) => /^\d{1,19}$/.test(cursor) && BigInt(cursor) <= BigInt(MAX_AUDIT_ID), {
        message: 'must be a nextCursor returned by this endpoint',
        params: { rule: 'format' },
      })
      .optional()
      .describe('The `nextCursor` of the previous page; absent for the newest records'),
  ),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE)),
};
const PAGE_EXAMPLES = { cursor: '48213', limit: DEFAULT_PAGE };

const isoDateTime = isoDateTimeSchema('must be an ISO 8601 date-time with a time zone, such as 2026-11-28T00:00:00+07:00');

/** The query of GET /access/v1/citizens/{idNumber}/accesses. */
export const citizenAccessesQuerySchema = z.strictObject(pageQuery);

/** The query of GET /access/v1/audit. */
export const auditQuerySchema = z
  .strictObject({
    consumerId: blankIsAbsent(z.guid({ message: 'must be a UUID' }).optional()),
    serviceCode: blankIsAbsent(serviceCodeSchema.optional()),
    // The same rule as the X-Dossier-Id header (the AccessGate's), so any recorded dossier can be asked for.
    dossierId: blankIsAbsent(z.string().regex(DOSSIER_ID_PATTERN, { message: DOSSIER_ID_RULE }).optional()),
    outcome: blankIsAbsent(z.enum(['ok', 'match', 'mismatch', 'not_found', 'refused']).optional()),
    from: blankIsAbsent(isoDateTime.optional()),
    to: blankIsAbsent(isoDateTime.optional()),
    ...pageQuery,
  })
  .superRefine((query, context) => {
    if (typeof query.from === 'string' && typeof query.to === 'string' && Date.parse(query.from) > Date.parse(query.to)) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from', params: { rule: 'range' } });
    }
  });

const consumerRefSchema = z.object({ consumerId: z.string(), name: z.string().nullable(), kind: z.enum(['state', 'non_state']).nullable() }).nullable();
const operationSchema = z.enum(['lookup', 'verify', 'verify_batch_item', 'household', 'changes']);
const outcomeSchema = z.enum(['ok', 'match', 'mismatch', 'not_found', 'refused']);

/** One access as the citizen's "who read my data" shows it. */
export const citizenAccessSchema = z.object({
  at: z.string().describe('ISO 8601'),
  consumer: consumerRefSchema.describe('Null when the caller could not be identified (a refused call without a valid key)'),
  serviceCode: z.string().nullable().describe('The purpose (public service) the call gave'),
  serviceName: z.string().nullable().describe('The service\'s Vietnamese name'),
  dossierId: z.string().nullable(),
  fields: z.array(z.string()).describe('The fields read or verified; empty for a refused call'),
  operation: operationSchema,
  outcome: outcomeSchema,
  reason: z.string().nullable().describe('The problem code of a refused call'),
});
export const citizenAccessesSchema = z.object({
  citizen: z.string().describe('The citizen\'s masked ID number'),
  accesses: z.array(citizenAccessSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
});

/** One audit record as operators see it: people only masked, never the HMACs. */
export const auditRecordSchema = citizenAccessSchema.extend({
  requestId: z.string().describe('The X-Request-Id of the call'),
  officerMasked: z.string().nullable(),
  citizenMasked: z.string().nullable(),
});
export const auditPageSchema = z.object({
  records: z.array(auditRecordSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
});

const bankAccess: z.infer<typeof citizenAccessSchema> = {
  at: '2026-11-28T08:15:02.114Z',
  consumer: { consumerId: '3f2c8a4e-6b1d-4c3e-9a57-0d8e2f1b7c64', name: 'Ngân hàng TMCP Ví Dụ (eKYC)', kind: 'non_state' },
  serviceCode: '2.001159',
  serviceName: 'Thông báo lưu trú',
  dossierId: null,
  fields: ['idNumber', 'fullName', 'dateOfBirth'],
  operation: 'verify',
  outcome: 'match',
  reason: null,
};
const wardAccess: z.infer<typeof citizenAccessSchema> = {
  at: '2026-11-27T02:40:51.870Z',
  consumer: { consumerId: '9d41b7e0-2c5a-4f0b-8e3d-6a1f9c2b7d55', name: 'UBND phường Cầu Giấy', kind: 'state' },
  serviceCode: '1.004222',
  serviceName: 'Đăng ký thường trú',
  dossierId: 'HN-2026-000123',
  fields: ['fullName', 'dateOfBirth', 'permanentAddress'],
  operation: 'lookup',
  outcome: 'ok',
  reason: null,
};
/** Worked examples for the OpenAPI document. */
const AUDIT_EXAMPLES = {
  idNumber: '001090999921',
  accesses: { citizen: '001*******21', accesses: [bankAccess, wardAccess], nextCursor: '48213' } satisfies z.infer<typeof citizenAccessesSchema>,
  records: {
    records: [
      { ...bankAccess, requestId: 'ekyc-7f3a9c', officerMasked: null, citizenMasked: '001*******21' },
      {
        ...wardAccess,
        serviceCode: '2.001159',
        serviceName: 'Thông báo lưu trú',
        dossierId: 'HN-2026-000124',
        fields: [],
        outcome: 'refused',
        reason: 'fields_not_allowed',
        requestId: '2b1f0c8e-5d0c-4a43-9a8e-0f6f7c0d9b11',
        officerMasked: '001*******17',
        citizenMasked: '036*******22',
      },
    ],
    nextCursor: '48190',
  } satisfies z.infer<typeof auditPageSchema>,
};

/** A page of at most `limit` records from a query that fetched one more, and the cursor of the next page. */
function pageOf(records: AuditRecord[], limit: number): { page: AuditRecord[]; nextCursor: string | null } {
  const page = records.slice(0, limit);
  return { page, nextCursor: records.length > limit ? page[page.length - 1].auditId : null };
}

function accessOf(record: AuditRecord): z.infer<typeof citizenAccessSchema> {
  const { at, consumer, serviceCode, serviceName, dossierId, fields, operation, outcome, reason } = record;
  return { at, consumer, serviceCode, serviceName, dossierId, fields, operation, outcome, reason };
}

function auditRecordOf(record: AuditRecord): z.infer<typeof auditRecordSchema> {
  return { ...accessOf(record), requestId: record.requestId, officerMasked: record.officerMasked, citizenMasked: record.citizenMasked };
}

/**
 * Queries of the append-only access audit (Decree 278/2025 traces every access), for operators: "who read my data"
 * for one citizen, and a filtered listing. Both newest first, by cursor. Every endpoint needs the admin key.
 */
@ApiTags('access')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('access/v1')
export class AuditController {
  constructor(
    private readonly audit: AuditQueryRepository,
    private readonly hmac: CitizenHmac,
  ) {}

  @Get('citizens/:idNumber/accesses')
  @ApiOperation({
    summary: 'Who read my data: every registry call about one citizen, newest first',
    description:
      'Found through the HMAC of the ID number, which is all the audit keeps of it. Refused calls are listed too, ' +
      'with the problem code as `reason`. Follow `nextCursor` for older records.',
  })
  @ApiZodParam('idNumber', idNumberSchema, AUDIT_EXAMPLES.idNumber, '12-digit personal ID number')
  @ApiZodQuery(citizenAccessesQuerySchema, PAGE_EXAMPLES)
  @ApiJsonResponse(200, 'A page of accesses', citizenAccessesSchema, AUDIT_EXAMPLES.accesses)
  @ApiProblems(400, 401, 403, 503)
  async citizenAccesses(@Param('idNumber') idNumber: string, @Query() query: Record<string, unknown>): Promise<z.infer<typeof citizenAccessesSchema>> {
    const citizen = parseInput(idNumberSchema, idNumber, 'idNumber');
    const { cursor, limit } = parseInput(citizenAccessesQuerySchema, query, 'query');
    const pseudonym = this.hmac.pseudonym(citizen);
    const { page, nextCursor } = pageOf(await this.audit.whoAccessedCitizen(pseudonym.hmac, { cursor, limit }), limit);
    return { citizen: pseudonym.masked, accesses: page.map(accessOf), nextCursor };
  }

  @Get('audit')
  @ApiOperation({
    summary: 'Audit records, newest first, filtered by consumer, service, dossier, outcome and time',
    description:
      'Every filter given narrows the listing; `from` is inclusive and `to` exclusive (ISO 8601 with a time zone). ' +
      'People appear only masked. Follow `nextCursor` for older records.',
  })
  @ApiZodQuery(auditQuerySchema, {
    consumerId: bankAccess.consumer!.consumerId,
    serviceCode: '2.001159',
    dossierId: 'HN-2026-000123',
    outcome: 'refused',
    from: '2026-11-28T00:00:00+07:00',
    to: '2026-11-29T00:00:00+07:00',
    ...PAGE_EXAMPLES,
  })
  @ApiJsonResponse(200, 'A page of records', auditPageSchema, AUDIT_EXAMPLES.records)
  @ApiProblems(400, 401, 403, 503)
  async records(@Query() query: Record<string, unknown>): Promise<z.infer<typeof auditPageSchema>> {
    const { cursor, limit, ...filter } = parseInput(auditQuerySchema, query, 'query');
    const { page, nextCursor } = pageOf(await this.audit.recordsMatching(filter, { cursor, limit }), limit);
    return { records: page.map(auditRecordOf), nextCursor };
  }
}

