import type { GenerateDossiersInput, GeneratedDossiers, QualityReport } from './dossier-quality.dto.js';

const generateInput: GenerateDossiersInput = { count: 200, discrepancyRate: 0.8, seed: 'quality-1' };

const generated: GeneratedDossiers = {
  seed: 'quality-1',
  serviceCode: null,
  filed: 200,
  queued: true,
  byKind: {
    none: 40,
    missing_diacritics: 16,
    upper_case: 16,
    name_typo: 16,
    day_month_swapped: 16,
    stale_address: 16,
    wrong_id_digit: 16,
    nonexistent_id: 16,
    deceased_applicant: 16,
    missing_person: 16,
    minor_for_adult_service: 16,
  },
  byService: { '1.000894': 21, '1.004222': 14, '3.000346': 19, 'P06-23': 8, 'SANDBOX-ALL': 9 },
  staleAddresses: { changeHistory: 2, synthesised: 14 },
  skippedKinds: [],
  filedFrom: '2026-12-01T03:15:04.118Z',
  filedTo: '2026-12-01T03:15:04.902Z',
  durationMs: 784,
};

const row = (kind: QualityReport['kinds'][number]['kind'], verdict: string, mustPass: boolean, dossiers: number, others: number) => ({
  kind,
  verdict,
  mustPass,
  dossiers,
  truePositives: dossiers,
  falseNegatives: 0,
  falsePositives: 0,
  trueNegatives: others,
  precision: dossiers === 0 ? null : 1,
  recall: dossiers === 0 ? null : 1,
});

const report: QualityReport = {
  serviceCode: null,
  from: '2026-12-01T03:15:04.118Z',
  to: null,
  labelled: 200,
  scored: 200,
  pending: 0,
  unscored: 0,
  kinds: [
    row('none', 'verified', true, 40, 160),
    row('missing_diacritics', 'verified:normalized', true, 16, 184),
    row('upper_case', 'verified:normalized', true, 16, 184),
    row('name_typo', 'needs_review:field_mismatch:fullName', false, 16, 184),
    row('day_month_swapped', 'needs_review:field_mismatch:dateOfBirth', false, 16, 184),
    row('stale_address', 'needs_review:field_mismatch:address', false, 16, 184),
    row('wrong_id_digit', 'caught', false, 16, 184),
    row('nonexistent_id', 'rejected:citizen_not_found', false, 16, 184),
    row('deceased_applicant', 'needs_review:citizen_deceased', false, 16, 184),
    row('missing_person', 'needs_review:citizen_missing', false, 16, 184),
    row('minor_for_adult_service', 'rejected:under_age', false, 16, 184),
  ],
};

/** Worked examples for the OpenAPI document of the generator and the quality report. */
export const QUALITY_EXAMPLES = { generateInput, generated, report };
