import { z } from 'zod';

/**
 * The labelled drift of generated portal records (issue 9): the one vocabulary that the record generator writes
 * (`portal_records.label`) and that a reconciliation run is scored against. A label says exactly what a correct
 * reconciliation of the record against the registry finds; a faithful copy has `label` null, and a correct
 * reconciliation finds nothing on it.
 */

/** Each kind puts exactly one drift into a record (a duplicate is a second, faithful, copy of a record). */
export const DRIFT_KINDS = [
  'stale_address',
  'unrecorded_death',
  'marital_status',
  'lost_diacritics',
  'wrong_birth_date',
  'wrong_id_digit',
  'not_in_registry',
  'duplicate',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The record fields a reconciliation compares with the registry's citizen of the same ID number. */
export const RECORD_FIELDS = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'currentAddress', 'maritalStatus', 'status'] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/**
 * What a correct reconciliation reports for the record:
 * - `mismatch`: the registry's citizen of the record's ID number differs in exactly the label's `fields`;
 * - `normalized`: the name differs only by diacritics and case (folded, they are equal): not a name mismatch;
 * - `not_found`: no citizen has the record's ID number;
 * - `duplicate`: another record of the same service (`duplicateOf`) holds the same citizen; the copy itself is faithful.
 */
export const EXPECTED_FINDINGS = ['mismatch', 'normalized', 'not_found', 'duplicate'] as const;
export type ExpectedFinding = (typeof EXPECTED_FINDINGS)[number];

/** The finding each kind expects. */
export const KIND_FINDINGS: Record<DriftKind, ExpectedFinding> = {
  stale_address: 'mismatch',
  unrecorded_death: 'mismatch',
  marital_status: 'mismatch',
  lost_diacritics: 'normalized',
  wrong_birth_date: 'mismatch',
  wrong_id_digit: 'not_found',
  not_in_registry: 'not_found',
  duplicate: 'duplicate',
};

/**
 * A record's label. Every kind carries `fields` (what differs from the registry, empty for a duplicate) and
 * `expected` (the finding, KIND_FINDINGS). Some carry one more member:
 * - `stale_address`: `fields` is `["permanentAddress"]`, `["currentAddress"]` (a temporary residence left), or both
 *   (a permanent residence left by a citizen without a temporary one, whose current place is the permanent one);
 *   the record holds the residence the citizen left in their last recorded move (`registry_changes`, kind `move`).
 * - `unrecorded_death`: the registry holds the citizen as deceased; the record says `alive` (and has no
 *   `statusDate`, which belongs to the status).
 * - `marital_status`: `unrecorded` is the civil-status event the portal never heard of: `marriage` (the record
 *   says `single`) or `divorce` (the record says `married`).
 * - `wrong_id_digit`: one of the last six digits changed; the number is still well formed (province, century-and-sex
 *   and year digits unchanged) and no citizen has it. The citizen of the record's name and birth date has an ID one
 *   digit away.
 * - `not_in_registry`: a well-formed number that no citizen has, with a name and birth date that no citizen has
 *   together either.
 * - `duplicate`: `duplicateOf` is the `recordId` of the first copy, in the same service.
 */
export type PortalRecordLabel =
  | { kind: 'stale_address'; fields: Array<'permanentAddress' | 'currentAddress'>; expected: 'mismatch' }
  | { kind: 'unrecorded_death'; fields: ['status']; expected: 'mismatch' }
  | { kind: 'marital_status'; fields: ['maritalStatus']; expected: 'mismatch'; unrecorded: 'marriage' | 'divorce' }
  | { kind: 'lost_diacritics'; fields: ['fullName']; expected: 'normalized' }
  | { kind: 'wrong_birth_date'; fields: ['dateOfBirth']; expected: 'mismatch' }
  | { kind: 'wrong_id_digit'; fields: ['idNumber']; expected: 'not_found' }
  | { kind: 'not_in_registry'; fields: ['idNumber']; expected: 'not_found' }
  | { kind: 'duplicate'; fields: []; expected: 'duplicate'; duplicateOf: string };

/** The label as the OpenAPI document shows it (the record views and the generator's description use it). */
export const portalRecordLabelSchema = z
  .object({
    kind: z.enum(DRIFT_KINDS),
    fields: z.array(z.enum(RECORD_FIELDS)).describe('The fields a reconciliation finds differing from the registry (empty for a duplicate)'),
    expected: z.enum(EXPECTED_FINDINGS).describe('What a correct reconciliation reports: mismatch, normalized (diacritics/case only), not_found, duplicate'),
    unrecorded: z.enum(['marriage', 'divorce']).optional().describe('`marital_status`: the event the portal never heard of'),
    duplicateOf: z.string().optional().describe('`duplicate`: the recordId of the first copy'),
  })
  .describe('The drift the generator injected; null on a faithful copy');
