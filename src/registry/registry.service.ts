import { Injectable } from '@nestjs/common';
import type { AccessContext } from '../access/access-context.js';
import type { AuditEntry } from '../access/audit-rows.js';
import type { CallRecord } from '../access/call-record.js';
import { CitizenHmac } from '../access/citizen-hmac.js';
import { ForbiddenError } from '../common/domain-error.js';
import { CITIZEN_COLUMNS, citizenFromRow, type CitizenRow } from './citizen-row.js';
import { RegistryAccessRepository } from './registry-access.repository.js';
import { DomainError, NotFoundError, PayloadTooLargeError, ValidationFailedError } from '../common/domain-error.js';
import { fieldErrorsOf, parseInput } from '../common/validation.js';
import type { CitizenRecord } from './citizen.js';
import { DEFAULT_FIELDS } from '../catalog/registry-fields.js';
import { CITIZEN_FIELD_BY_NAME, columnsOf } from './citizen-fields.js';
import { compareBirthDates, parseRequestedDate } from '../identity/birth-date.js';
import { validateIdNumber } from '../identity/id-number.js';
import { compareNames } from '../identity/name-folding.js';
import {
  MAX_VERIFY_BATCH,
  householdIdSchema,
  verifyRequestSchema,
  type ChangeEvent,
  type ChangesPage,
  type HouseholdAnswer,
  type VerifyBatchEntry,
  type VerifyRequest,
  type VerifyResult,
} from './registry.dto.js';
import { RegistryRepository, type ChildReference, type RegistryChangeRow, type VerificationSubject } from './registry.repository.js';

export type { VerifyBatchEntry };


/**
 * The registry's answers: look-up, verify, households and the changes feed, for an admitted call (HTTP or
 * in-process), so it throws DomainErrors, never HTTP exceptions. What a call reads is noted on its CallRecord (audit
 * entries, fields, verdicts), which is committed once when the call ends, before its answer leaves.
 */
@Injectable()
export class RegistryService {
  constructor(
    private readonly repository: RegistryRepository,
    private readonly audited: RegistryAccessRepository,
    private readonly hmac: CitizenHmac,
  ) {}

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
  resolveFields(fieldsParameter: string | undefined, call: CallRecord): string[] {
    const access = call.admitted;
    const allowed = access.service.allowedFields;
    if (fieldsParameter === undefined || fieldsParameter.trim() === '') {
      // No list: what the purpose allows, less the sensitive fields, which are returned only when named.
      return DEFAULT_FIELDS.filter((name) => allowed.has(name));
    }
    const requested = [...new Set(fieldsParameter.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
    const unknown = requested.filter((name) => !CITIZEN_FIELD_BY_NAME.has(name));
    call.fieldsRequested = requested.filter((name) => CITIZEN_FIELD_BY_NAME.has(name));
    if (unknown.length > 0) {
      throw new ValidationFailedError(
        `unknown field(s): ${unknown.map((name) => JSON.stringify(name.slice(0, 64))).join(', ')}; see GET /registry/v1/fields`,
        unknown.map((name) => ({ field: 'fields', rule: 'unknown_field', message: `"${name.slice(0, 64)}" is not a field of the registry` })),
      );
    }
    // Noted before the allow-list check: a refusal's journal row shows what was asked for.
    call.fieldsRequested = requested;
    assertAllowed(requested, access);
    return requested;
  }

  /**
   * The requested fields of one citizen, reading only the columns they need (a non-state consumer's consent is
   * decided in the same statement); the audit records (the citizen's, and one for each relative the answer shows)
   * are committed together before the answer is returned.
   */
  async lookup(idNumber: string, fields: string[], call: CallRecord): Promise<Record<string, unknown>> {
    let children: ChildReference[] | undefined;
    const row = await this.auditedRow(idNumber, columnsOf(fields), fields, call, async (found) => {
      children = fields.includes('children') ? await this.repository.findChildren(idNumber) : undefined;
      return [...relativesOf(found, fields), ...(children ?? []).map((child) => ({ idNumber: child.idNumber, field: 'children' }))];
    });
    const projected: Record<string, unknown> = {};
    for (const name of fields) projected[name] = CITIZEN_FIELD_BY_NAME.get(name)!.project({ row, children });
    return projected;
  }

  /** The whole record, for renderers that work on it (QCVN 109 XML); they cut it down to the granted fields. */
  async lookupRecord(idNumber: string, fields: string[], call: CallRecord): Promise<CitizenRecord> {
    const row = await this.auditedRow(idNumber, CITIZEN_COLUMNS, fields, call, async (found) => relativesOf(found, fields));
    return citizenFromRow(row as CitizenRow);
  }

  /**
   * Reads one citizen for a look-up and audits it before returning. `othersShown` names the other citizens the
   * answer will show (parents, spouse, children): each gets its own record, in the same commit as the subject's, so
   * that their "who read my data" shows the read too.
   */
  private async auditedRow(
    idNumber: string,
    columns: readonly (typeof CITIZEN_COLUMNS)[number][],
    fields: string[],
    call: CallRecord,
    othersShown: (row: Partial<CitizenRow>) => Promise<{ idNumber: string; field: string }[]>,
  ) {
    const access = call.admitted;
    call.fieldsRequested = fields;
    this.assertIdNumber(idNumber);
    call.subjectIdNumber = idNumber;
    const citizen = this.hmac.pseudonym(idNumber);
    const result = await this.audited.lookup(idNumber, citizen, columns, fields, access);
    // The record is durable before the answer (or the refusal) leaves.
    if (result.outcome === 'refused') {
      call.audit([{ operation: 'lookup', citizen, fields: [], outcome: 'refused', reason: 'consent_required' }]);
      throw audited(consentRequired());
    }
    const entries: AuditEntry[] = [{ operation: 'lookup', citizen, fields: result.outcome === 'ok' ? fields : [], outcome: result.outcome }];
    if (result.outcome === 'ok') {
      for (const other of await othersShown(result.row)) {
        entries.push({ operation: 'lookup', citizen: this.hmac.pseudonym(other.idNumber), fields: [other.field], outcome: 'ok' });
      }
    }
    call.audit(entries);
    if (result.outcome === 'not_found') throw citizenNotFound();
    call.fieldsReturned = fields;
    return result.row;
  }

  async verify(body: unknown, call: CallRecord): Promise<VerifyResult> {
    const access = call.admitted;
    const request = parseInput(verifyRequestSchema, body);
    const fields = verifiedFields(request);
    call.fieldsRequested = fields;
    call.subjectIdNumber = request.idNumber;
    assertAllowed(fields, access);
    const citizen = this.hmac.pseudonym(request.idNumber);
    const [{ consented, subject }] = await this.audited.verificationSubjects([{ idNumber: request.idNumber, hmac: citizen.hmac, fields }], access);
    if (!consented) {
      call.audit([{ operation: 'verify', citizen, fields: [], outcome: 'refused', reason: 'consent_required' }]);
      throw audited(consentRequired());
    }
    const result = compareWithRecord(request, subject);
    call.audit([{ operation: 'verify', citizen, fields, outcome: auditOutcomeOf(result) }]);
    call.servedOutcome = result.verdict === 'match' ? 'ok' : result.verdict;
    // A verdict on a known citizen discloses a yes/no about each field compared; an unknown one discloses nothing.
    call.fieldsReturned = result.verdict === 'not_found' ? [] : fields;
    return result;
  }

  /** Up to MAX_VERIFY_BATCH items in one query; an invalid item yields an error entry in its place. */
  async verifyBatch(body: unknown, call: CallRecord): Promise<VerifyBatchEntry[]> {
    const access = call.admitted;
    const items = readBatchItems(body);
    const parsed = items.map((item) => verifyRequestSchema.safeParse(item));
    const valid = parsed.flatMap((result) => (result.success ? [result.data] : []));
    const requested = [...new Set(valid.flatMap(verifiedFields))];
    call.fieldsRequested = requested;
    // Every field any item discloses must be in the allow-list: one refusal for the whole batch names them.
    assertAllowed(requested, access);
    const lookups = valid.map((item) => ({ idNumber: item.idNumber, ...this.hmac.pseudonym(item.idNumber), fields: verifiedFields(item) }));
    const answers = await this.audited.verificationSubjects(lookups.map(({ idNumber, hmac, fields }) => ({ idNumber, hmac, fields })), access);
    const entries: AuditEntry[] = [];
    let next = 0;
    const results = parsed.map((result, index): VerifyBatchEntry => {
      if (!result.success) {
        const errors = fieldErrorsOf(result.error, `items.${index}`, items[index]);
        entries.push({ operation: 'verify_batch_item', citizen: null, fields: [], outcome: 'refused', reason: 'validation_failed' });
        return { index, error: { code: 'validation_failed', detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors } };
      }
      const lookup = lookups[next];
      const { consented, subject } = answers[next++];
      const citizen = { hmac: lookup.hmac, masked: lookup.masked };
      if (!consented) {
        entries.push({ operation: 'verify_batch_item', citizen, fields: [], outcome: 'refused', reason: 'consent_required' });
        const refusal = consentRequired();
        return { index, error: { code: refusal.code, detail: refusal.message, errors: [] } };
      }
      const verdict = compareWithRecord(result.data, subject);
      entries.push({ operation: 'verify_batch_item', citizen, fields: lookup.fields, outcome: auditOutcomeOf(verdict) });
      return { index, ...verdict };
    });
    call.audit(entries);
    call.batch = batchSummaryOf(results);
    call.fieldsReturned = call.batch.ok + call.batch.mismatch > 0 ? requested : [];
    return results;
  }

  async household(householdId: string, call: CallRecord): Promise<HouseholdAnswer> {
    const access = call.admitted;
    call.fieldsRequested = HOUSEHOLD_LISTING_FIELDS;
    parseInput(householdIdSchema, householdId, 'householdId');
    // The listing shows each member's number, name, date of birth, sex and status: all must be in the allow-list.
    assertAllowed(HOUSEHOLD_LISTING_FIELDS, access);
    assertState(access, 'Household listings');
    const household = await this.repository.findHousehold(householdId);
    if (!household) {
      call.audit([{ operation: 'household', citizen: null, fields: ['household'], outcome: 'not_found' }]);
      throw new NotFoundError('household_not_found', 'No household has this id in the sandbox registry.');
    }
    const members = await this.repository.findHouseholdMembers(householdId);
    const head = members.find((member) => member.idNumber === household.headIdNumber);
    // Every citizen shown is audited, the head too when no longer a member; a listing that shows nobody still
    // leaves one record of the call.
    const shown = [...members.map((member) => member.idNumber), ...(head ? [] : [household.headIdNumber])];
    call.audit(
      shown.length > 0
        ? shown.map((shownId) => ({ operation: 'household' as const, citizen: this.hmac.pseudonym(shownId), fields: ['household'], outcome: 'ok' as const }))
        : [{ operation: 'household', citizen: null, fields: ['household'], outcome: 'ok' }],
    );
    call.fieldsReturned = HOUSEHOLD_LISTING_FIELDS;
    return {
      householdId,
      address: household.address,
      head: head ? { idNumber: head.idNumber, fullName: head.fullName } : { idNumber: household.headIdNumber, fullName: null },
      members,
    };
  }

  async changes(since: string, limit: number, call: CallRecord): Promise<ChangesPage> {
    const access = call.admitted;
    call.fieldsRequested = CHANGES_FEED_FIELDS;
    assertState(access, 'The bulk changes feed');
    assertAllowed(CHANGES_FEED_FIELDS, access);
    // One extra row tells whether another page exists without a COUNT.
    const rows = await this.repository.findChangesAfter(since, limit + 1);
    const page = rows.slice(0, limit);
    // Events name other people too (spouse, parents, former spouse): each citizen disclosed is audited.
    const citizens = [...new Set(page.flatMap((row) => [row.idNumber, ...idNumbersIn(row.details)]))];
    // An empty page (a poll with nothing new) still leaves one record of the call.
    call.audit(
      citizens.length > 0
        ? citizens.map((idNumber) => ({ operation: 'changes' as const, citizen: this.hmac.pseudonym(idNumber), fields: ['changes'], outcome: 'ok' as const }))
        : [{ operation: 'changes', citizen: null, fields: ['changes'], outcome: 'ok' }],
    );
    call.fieldsReturned = CHANGES_FEED_FIELDS;
    return { events: page.map(changeEventOf), nextCursor: page.length > 0 ? page[page.length - 1].changeId : since, hasMore: rows.length > limit };
  }
}

function changeEventOf(row: RegistryChangeRow): ChangeEvent {
  const { changeId, occurredAt, recordedAt, ...event } = row;
  return { ...event, cursor: changeId, occurredAt: occurredAt.toISOString(), recordedAt: recordedAt.toISOString() };
}

/** A verify-batch's items by result, for the journal. */
function batchSummaryOf(results: readonly VerifyBatchEntry[]): { ok: number; mismatch: number; notFound: number; invalid: number; refused: number } {
  const summary = { ok: 0, mismatch: 0, notFound: 0, invalid: 0, refused: 0 };
  for (const entry of results) {
    if ('error' in entry) summary[entry.error.code === 'validation_failed' ? 'invalid' : 'refused'] += 1;
    else if (entry.verdict === 'match') summary.ok += 1;
    else if (entry.verdict === 'mismatch') summary.mismatch += 1;
    else summary.notFound += 1;
  }
  return summary;
}

/** The relatives a look-up shows by ID number, field by field (children come from their own query). */
const RELATIVE_ID_COLUMNS = { father: 'father_id_number', mother: 'mother_id_number', spouse: 'spouse_id_number' } as const;

/** The relatives with an ID number that the requested fields will show. */
function relativesOf(row: Partial<CitizenRow>, fields: readonly string[]): { idNumber: string; field: string }[] {
  return Object.entries(RELATIVE_ID_COLUMNS).flatMap(([field, column]) => {
    const idNumber = fields.includes(field) ? row[column] : null;
    return typeof idNumber === 'string' ? [{ idNumber, field }] : [];
  });
}

/** What a household listing shows of each member. */
const HOUSEHOLD_LISTING_FIELDS = ['household', 'idNumber', 'fullName', 'dateOfBirth', 'sex', 'citizenStatus'];

/** What the changes feed discloses: civil-status and residence events with their details. */
const CHANGES_FEED_FIELDS = ['idNumber', 'permanentAddress', 'temporaryAddress', 'maritalStatus', 'spouse', 'father', 'mother', 'citizenStatus', 'statusDate', 'idCard', 'household'];

/** The ID numbers an event's details name (keys ending in `IdNumber`). */
function idNumbersIn(details: Record<string, unknown>): string[] {
  return Object.entries(details).flatMap(([key, value]) => (key.endsWith('IdNumber') && typeof value === 'string' ? [value] : []));
}

/** The fields a verify request discloses a yes/no about: they must be in the purpose's allow-list. */
function verifiedFields(request: VerifyRequest): string[] {
  return request.sex ? ['idNumber', 'fullName', 'dateOfBirth', 'sex'] : ['idNumber', 'fullName', 'dateOfBirth'];
}

/** Refuses fields outside the purpose's allow-list, naming each (data minimisation). */
function assertAllowed(fields: readonly string[], access: AccessContext): void {
  const refused = fields.filter((name) => !access.service.allowedFields.has(name));
  if (refused.length > 0) {
    throw new ForbiddenError(
      'fields_not_allowed',
      `Service ${access.service.code} may not read: ${refused.join(', ')}.`,
      refused.map((name) => ({ field: 'fields', rule: 'not_in_allow_list', message: `"${name}" is not in the allow-list of service ${access.service.code}` })),
      { refusedFields: refused },
    );
  }
}

/** Bulk reads that have no per-citizen consent model are for state agencies acting on a legal basis. */
function assertState(access: AccessContext, what: string): void {
  if (access.consumer.kind !== 'state') {
    throw new ForbiddenError('state_consumers_only', `${what} are available to state agencies only; a non-state consumer reads per citizen, with consent.`);
  }
}

function consentRequired(): ForbiddenError {
  return new ForbiddenError(
    'consent_required',
    'A non-state consumer needs the citizen\'s live consent for this service and these fields (POST /sandbox/consents).',
  );
}

function audited<T extends DomainError>(error: T): T {
  error.audited = true;
  return error;
}

function auditOutcomeOf(result: VerifyResult): 'match' | 'mismatch' | 'not_found' {
  return result.verdict;
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
 * The verdict for one request. An unknown ID gets the same status and shape as a mismatch: `verdict` is `not_found`
 * and every check `mismatch` (a mismatch on a known ID has `idNumber: exact`), and `citizenStatus` is given only on
 * a match. Existence itself is the verdict; what limits sweeping is the quota and the operators' not_found counts.
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
