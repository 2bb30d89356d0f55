import { ageOn, dayOfDate, dayOfIso } from '../identity/calendar-days.js';
import { compareBirthDates, parseRequestedDate } from '../identity/birth-date.js';
import { compareNames, foldName } from '../identity/name-folding.js';
import type { VerifyResult } from '../registry/registry.dto.js';
import type { Applicant, ApplicantAddress, DecisionReason } from './dossier.dto.js';

export type { DecisionReason } from './dossier.dto.js';

/**
 * How a dossier is checked against the registry, and the decision the answers lead to: pure functions, so that the
 * rules can be read (and tested) apart from the job that makes the calls.
 */

/** What the portal knows of the service a dossier is filed for. */
export interface ServiceRules {
  allowedFields: ReadonlySet<string>;
  /** The registry operations the service's connector enables (`verify`, `lookup`, ...). */
  operations: ReadonlySet<string>;
  minimumAge: number | null;
}

/** The calls a dossier needs: a verify (name, birth date, sex), a look-up of what verify cannot compare, or both. */
export interface VerificationPlan {
  verify: boolean;
  /** Sent to verify only when the service may read it. */
  verifySex: boolean;
  lookupFields: string[];
}

const ADDRESS_FIELDS = ['permanentAddress', 'currentAddress'] as const;

/**
 * A verify when the connector enables it and the service may read what it compares (name and birth date); then a
 * look-up of the addresses the applicant gave that the service may read, since verify does not compare addresses (a
 * stale address from before a move is invisible to it). Without verify, one look-up of every field to compare.
 * An empty plan means the service's connector and allow-list leave nothing to check the dossier with.
 */
export function planVerification(service: ServiceRules, applicant: Applicant): VerificationPlan {
  const may = (field: string) => service.allowedFields.has(field);
  const canLookUp = service.operations.has('lookup');
  const addresses = ADDRESS_FIELDS.filter((field) => applicant[field] && may(field));
  const verify = service.operations.has('verify') && may('fullName') && may('dateOfBirth');
  const verifySex = verify && may('sex') && applicant.sex !== undefined;
  if (verify) return { verify, verifySex, lookupFields: canLookUp ? addresses : [] };
  if (!canLookUp) return { verify: false, verifySex: false, lookupFields: [] };
  const identity = ['fullName', 'dateOfBirth', 'sex', 'citizenStatus'].filter((field) => may(field) && (field !== 'sex' || applicant.sex !== undefined));
  return { verify: false, verifySex: false, lookupFields: [...identity, ...addresses] };
}

/** The result of one field's check, as the dossier shows it. */
export type FieldResult = 'exact' | 'normalized' | 'partial' | 'mismatch' | 'not_checked';

export type DecisionStatus = 'verified' | 'needs_review' | 'rejected';
export interface VerificationResult {
  /** Per field of the applicant: how it compared with the registry. */
  fields: Record<string, FieldResult>;
  citizenStatus: 'alive' | 'deceased' | 'missing' | null;
  /** Whole years on the filing day, from the birth date the registry confirmed; null when not established. */
  age: number | null;
}

export interface Decision {
  status: DecisionStatus;
  reason: DecisionReason | null;
  detail: string | null;
  verification: VerificationResult;
}

/** What the registry answered for one dossier: a verify result and/or look-up values, or that the citizen is unknown. */
export interface RegistryAnswers {
  notFound: boolean;
  verify: VerifyResult | null;
  lookup: Record<string, unknown> | null;
}

/** Compares a typed address with the registry's: the same commune (2025 map) and the same detail once folded. */
export function compareAddress(typed: ApplicantAddress, stored: unknown): FieldResult {
  if (!stored || typeof stored !== 'object') return 'mismatch';
  const record = stored as { detail?: unknown; communeCode?: unknown };
  if (record.communeCode !== typed.communeCode) return 'mismatch';
  const storedDetail = typeof record.detail === 'string' ? record.detail : '';
  if (storedDetail === typed.detail) return 'exact';
  return foldName(storedDetail) === foldName(typed.detail) ? 'normalized' : 'mismatch';
}

/** The decision on a dossier from the registry's answers. Rules, in order: unknown citizen, status, fields, age. */
export function decide(applicant: Applicant, service: ServiceRules, plan: VerificationPlan, answers: RegistryAnswers, filedAt: Date): Decision {
  const fields: Record<string, FieldResult> = { idNumber: answers.notFound ? 'mismatch' : 'exact' };
  for (const field of ['fullName', 'dateOfBirth', 'sex', ...ADDRESS_FIELDS]) {
    if (field === 'sex' && applicant.sex === undefined) continue;
    if (ADDRESS_FIELDS.includes(field as (typeof ADDRESS_FIELDS)[number]) && !applicant[field as (typeof ADDRESS_FIELDS)[number]]) continue;
    fields[field] = 'not_checked';
  }
  const result = (status: DecisionStatus, reason: DecisionReason | null, detail: string | null, citizenStatus: VerificationResult['citizenStatus'] = null, age: number | null = null): Decision => ({
    status,
    reason,
    detail,
    verification: { fields, citizenStatus, age },
  });
  if (!plan.verify && plan.lookupFields.length === 0) {
    return result('needs_review', 'not_verifiable', "The service's connector and allow-list leave no registry check for this dossier: an officer checks it.");
  }
  if (answers.notFound || answers.verify?.verdict === 'not_found') {
    fields.idNumber = 'mismatch';
    return result('rejected', 'citizen_not_found', 'No citizen of the registry has this ID number.');
  }

  if (answers.verify) {
    const checks = answers.verify.checks;
    fields.fullName = checks.fullName;
    fields.dateOfBirth = checks.dateOfBirth;
    if (checks.sex) fields.sex = checks.sex;
  }
  const found = answers.lookup ?? {};
  if (!answers.verify) {
    if ('fullName' in found && typeof found.fullName === 'string') fields.fullName = compareNames(applicant.fullName, found.fullName);
    if ('dateOfBirth' in found && typeof found.dateOfBirth === 'string') {
      const typed = parseRequestedDate(applicant.dateOfBirth);
      fields.dateOfBirth = typed.ok ? compareBirthDates(typed.value, found.dateOfBirth) : 'mismatch';
    }
    if ('sex' in found && applicant.sex !== undefined) fields.sex = found.sex === applicant.sex ? 'exact' : 'mismatch';
  }
  for (const field of ADDRESS_FIELDS) {
    const typed = applicant[field];
    if (typed && field in found) fields[field] = compareAddress(typed, found[field]);
  }

  const citizenStatus = (answers.verify?.citizenStatus ?? (typeof found.citizenStatus === 'string' ? found.citizenStatus : null)) as VerificationResult['citizenStatus'];
  // The age from the birth date the registry confirmed (an exact match), else not established.
  const age = fields.dateOfBirth === 'exact' ? ageOn(dayOfIso(applicant.dateOfBirth), dayOfDate(filedAt)) : null;

  if (citizenStatus === 'deceased') return result('needs_review', 'citizen_deceased', 'The registry records this citizen as deceased.', citizenStatus, age);
  if (citizenStatus === 'missing') return result('needs_review', 'citizen_missing', 'The registry records this citizen as missing.', citizenStatus, age);
  const mismatched = Object.entries(fields).filter(([, value]) => value === 'mismatch' || value === 'partial').map(([field]) => field);
  if (mismatched.length > 0) {
    return result('needs_review', 'field_mismatch', `Differs from the registry: ${mismatched.join(', ')}.`, citizenStatus, age);
  }
  if (service.minimumAge !== null && age !== null && age < service.minimumAge) {
    return result('rejected', 'under_age', `The applicant is ${age}; the service accepts applicants from ${service.minimumAge}.`, citizenStatus, age);
  }
  return result('verified', null, null, citizenStatus, age);
}
