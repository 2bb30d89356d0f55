import { Injectable } from '@nestjs/common';
import { NotFoundError, PayloadTooLargeError, ValidationFailedError, type FieldError } from '../common/domain-error.js';
import { fieldErrorsOf, parseInput } from '../common/validation.js';
import type { CitizenRecord } from './citizen.js';
import { CITIZEN_FIELD_BY_NAME, columnsOf, DEFAULT_FIELDS } from './citizen-fields.js';
import { compareBirthDates, parseRequestedDate } from './identity/birth-date.js';
import { validateIdNumber } from './identity/id-number.js';
import { compareNames } from './identity/name-folding.js';
import {
  MAX_VERIFY_BATCH,
  householdIdSchema,
  verifyRequestSchema,
  type VerifyRequest,
  type VerifyResult,
} from './registry.dto.js';
import { RegistryRepository, type VerificationSubject } from './registry.repository.js';

/** A verify-batch entry: the item's result, or the validation problem of that item alone. */
export type VerifyBatchEntry =
  | ({ index: number } & VerifyResult)
  | { index: number; error: { code: string; detail: string; errors: FieldError[] } };


/**
 * The registry's answers: look-up, verify, households and the changes feed. Shared by HTTP and (later) queue workers,
 * so it throws DomainErrors, never HTTP exceptions.
 */
@Injectable()
export class RegistryService {
  constructor(private readonly repository: RegistryRepository) {}

  /** Validates an ID number from a path or query; every broken rule is reported against `field`. */
  assertIdNumber(idNumber: string, field = 'idNumber'): void {
    const violations = validateIdNumber(idNumber.slice(0, 64));
    if (violations.length > 0) {
      throw new ValidationFailedError(
        `${field} is not a valid personal ID number: ${violations.map((v) => v.message).join('; ')}`,
        violations.map((v) => ({ field, rule: v.rule, message: v.message })),
      );
    }
  }

  /**
   * Resolves a `fields` list (comma-separated names) against the field catalogue. Unknown names are refused, each
   * named; no list means every non-sensitive field.
   */
  resolveFields(fieldsParameter: string | undefined): string[] {
    if (fieldsParameter === undefined || fieldsParameter.trim() === '') return [...DEFAULT_FIELDS];
    const requested = [...new Set(fieldsParameter.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
    const unknown = requested.filter((name) => !CITIZEN_FIELD_BY_NAME.has(name));
    if (unknown.length > 0) {
      throw new ValidationFailedError(
        `unknown field(s): ${unknown.map((name) => JSON.stringify(name.slice(0, 64))).join(', ')}; see GET /registry/v1/fields`,
        unknown.map((name) => ({ field: 'fields', rule: 'unknown_field', message: `"${name.slice(0, 64)}" is not a field of the registry` })),
      );
    }
    return requested;
  }

  /** The requested fields of one citizen, reading only the columns they need. */
  async lookup(idNumber: string, fields: string[]): Promise<Record<string, unknown>> {
    this.assertIdNumber(idNumber);
    const row = await this.repository.findCitizenColumns(idNumber, columnsOf(fields));
    if (!row) throw citizenNotFound();
    const children = fields.includes('children') ? await this.repository.findChildren(idNumber) : undefined;
    const projected: Record<string, unknown> = {};
    for (const name of fields) projected[name] = CITIZEN_FIELD_BY_NAME.get(name)!.project({ row, children });
    return projected;
  }

  /** The whole record, for renderers that work on it (QCVN 109 XML); they cut it down to the granted fields. */
  async lookupRecord(idNumber: string): Promise<CitizenRecord> {
    this.assertIdNumber(idNumber);
    const record = await this.repository.findCitizen(idNumber);
    if (!record) throw citizenNotFound();
    return record;
  }

  async verify(body: unknown): Promise<VerifyResult> {
    const request = parseInput(verifyRequestSchema, body);
    const subject = await this.repository.findVerificationSubject(request.idNumber);
    return compareWithRecord(request, subject);
  }

  /** Up to MAX_VERIFY_BATCH items in one query; an invalid item yields an error entry in its place. */
  async verifyBatch(body: unknown): Promise<VerifyBatchEntry[]> {
    const items = readBatchItems(body);
    const parsed = items.map((item) => verifyRequestSchema.safeParse(item));
    const validIds = parsed.flatMap((result) => (result.success ? [result.data.idNumber] : []));
    const subjects = await this.repository.findVerificationSubjects([...new Set(validIds)]);
    return parsed.map((result, index) => {
      if (!result.success) {
        const errors = fieldErrorsOf(result.error, `items.${index}`, items[index]);
        return { index, error: { code: 'validation_failed', detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors } };
      }
      return { index, ...compareWithRecord(result.data, subjects.get(result.data.idNumber)) };
    });
  }

  async household(householdId: string) {
    parseInput(householdIdSchema, householdId, 'householdId');
    const household = await this.repository.findHousehold(householdId);
    if (!household) throw new NotFoundError('household_not_found', 'No household has this id in the sandbox registry.');
    const members = await this.repository.findHouseholdMembers(householdId);
    const head = members.find((member) => member.idNumber === household.headIdNumber);
    return {
      householdId,
      address: household.address,
      head: head ? { idNumber: head.idNumber, fullName: head.fullName } : { idNumber: household.headIdNumber, fullName: null },
      members,
    };
  }

  /** The head of a household by name and number, for renderers that print it beside a member (QCVN 109 `ChuHo`). */
  async householdHead(householdId: string): Promise<{ idNumber: string; fullName: string } | null> {
    const household = await this.repository.findHousehold(householdId);
    if (!household) return null;
    const head = await this.repository.findVerificationSubject(household.headIdNumber);
    return head ? { idNumber: head.idNumber, fullName: head.fullName } : null;
  }

  async changes(since: string, limit: number) {
    // One extra row tells whether another page exists without a COUNT.
    const rows = await this.repository.findChangesAfter(since, limit + 1);
    const page = rows.slice(0, limit);
    const events = page.map((row) => ({
      cursor: row.changeId,
      kind: row.kind,
      idNumber: row.idNumber,
      occurredAt: row.occurredAt.toISOString(),
      recordedAt: row.recordedAt.toISOString(),
      details: row.details,
    }));
    return { events, nextCursor: page.length > 0 ? page[page.length - 1].changeId : since, hasMore: rows.length > limit };
  }
}

function citizenNotFound(): NotFoundError {
  return new NotFoundError('citizen_not_found', 'No citizen has this ID number in the sandbox registry.');
}

function readBatchItems(body: unknown): unknown[] {
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { items?: unknown }).items)) {
    throw new ValidationFailedError('items: is required and must be an array', [
      { field: 'items', rule: 'required', message: 'is required and must be an array of verify requests' },
    ]);
  }
  const unknownKeys = Object.keys(body).filter((key) => key !== 'items');
  if (unknownKeys.length > 0) {
    throw new ValidationFailedError(`unknown properties: ${unknownKeys.join(', ')}`,
      unknownKeys.map((key) => ({ field: key.slice(0, 64), rule: 'unknown_property', message: 'is not a known property' })));
  }
  const items = (body as { items: unknown[] }).items;
  if (items.length === 0) {
    throw new ValidationFailedError('items: must hold at least one item', [{ field: 'items', rule: 'min', message: 'must hold at least one item' }]);
  }
  if (items.length > MAX_VERIFY_BATCH) {
    throw new PayloadTooLargeError(`A batch holds at most ${MAX_VERIFY_BATCH} items; this one has ${items.length}. Split it.`, [
      { field: 'items', rule: 'max', message: `must hold at most ${MAX_VERIFY_BATCH} items` },
    ]);
  }
  return items;
}

/**
 * The verdict for one request. An unknown ID gets the same status and shape as a mismatch (only `verdict` differs,
 * and `citizenStatus` is given only on a match), so the endpoint does not help enumerate who exists.
 */
export function compareWithRecord(request: VerifyRequest, subject: VerificationSubject | undefined): VerifyResult {
  if (!subject) {
    return {
      verdict: 'not_found',
      citizenStatus: null,
      checks: { idNumber: 'mismatch', fullName: 'mismatch', dateOfBirth: 'mismatch', ...(request.sex ? { sex: 'mismatch' as const } : {}) },
    };
  }
  const requestedDate = parseRequestedDate(request.dateOfBirth);
  const checks: VerifyResult['checks'] = {
    idNumber: 'exact',
    fullName: compareNames(request.fullName, subject.fullName),
    dateOfBirth: requestedDate.ok ? compareBirthDates(requestedDate.value, subject.dateOfBirth) : 'mismatch',
  };
  if (request.sex) checks.sex = request.sex === subject.sex ? 'exact' : 'mismatch';
  const matched = Object.values(checks).every((check) => check !== 'mismatch');
  return { verdict: matched ? 'match' : 'mismatch', citizenStatus: matched ? subject.status : null, checks };
}
