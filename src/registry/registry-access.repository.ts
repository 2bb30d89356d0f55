import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { AccessContext } from '../access/access-context.js';
import { AUDIT_COLUMNS, contextValues } from '../access/audit-writer.service.js';
import { PG_POOL } from '../database/database.module.js';
import { selectList, type CitizenColumn, type CitizenRow } from './citizen-row.js';

/** Outcome of an audited look-up: the row when it was served, or why not. */
export type AuditedLookup =
  | { outcome: 'ok'; row: Partial<CitizenRow> }
  | { outcome: 'not_found' }
  | { outcome: 'refused'; reason: 'consent_required' };

/**
 * Registry reads that must leave an audit record. A look-up reads the citizen, checks a non-state consumer's consent
 * and appends the audit row in ONE statement (one round trip, and no answer without its record); see the
 * benchmark for what that costs.
 */
@Injectable()
export class RegistryAccessRepository {
  private readonly statementByColumns = new Map<string, string>();

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async lookup(
    idNumber: string,
    citizen: { hmac: string; masked: string },
    columns: readonly CitizenColumn[],
    fields: readonly string[],
    access: AccessContext,
  ): Promise<AuditedLookup> {
    const key = columns.join(',');
    let name = this.statementByColumns.get(key);
    if (name === undefined && this.statementByColumns.size < 128) {
      name = `registry_audited_lookup_${this.statementByColumns.size}`;
      this.statementByColumns.set(key, name);
    }
    // $7 id number, $8 citizen hmac, $9 masked, $10 fields, $11 consent needed (non-state consumer).
    const result = await this.pool.query<Partial<CitizenRow> & { audit_outcome: string }>({
      ...(name ? { name } : {}),
      text: `
        WITH c AS (SELECT ${selectList(columns)} FROM citizens WHERE id_number = $7),
        decision AS (
          -- Consent first: without it, a known and an unknown number get the same refusal (no enumeration).
          SELECT CASE
                   WHEN $11::boolean AND NOT EXISTS (
                     SELECT 1 FROM consents
                     WHERE citizen_hmac = $8 AND consumer_id = $2::uuid AND service_code = $5 AND revoked_at IS NULL
                       AND expires_at > now() AND fields @> $10::text[]) THEN 'refused'
                   WHEN NOT EXISTS (SELECT 1 FROM c) THEN 'not_found'
                   ELSE 'ok' END AS outcome),
        audit AS (
          INSERT INTO access_audit (${AUDIT_COLUMNS})
          SELECT $1, $2::uuid, $3, $4, $5, $6, 'lookup', $8, $9,
                 CASE WHEN d.outcome = 'ok' THEN $10::text[] ELSE '{}' END, d.outcome,
                 CASE WHEN d.outcome = 'refused' THEN 'consent_required' END
          FROM decision d
          RETURNING outcome)
        SELECT audit.outcome AS audit_outcome, c.* FROM audit LEFT JOIN c ON audit.outcome = 'ok'`,
      values: [...contextValues(access), idNumber, citizen.hmac, citizen.masked, fields, access.consumer.kind === 'non_state'],
    });
    const row = result.rows[0];
    if (row.audit_outcome === 'not_found') return { outcome: 'not_found' };
    if (row.audit_outcome === 'refused') return { outcome: 'refused', reason: 'consent_required' };
    const { audit_outcome: _outcome, ...citizenRow } = row;
    return { outcome: 'ok', row: citizenRow };
  }

  /**
   * Verifies items and appends one audit record per item in ONE statement, so that no verdict leaves without its
   * record and a verify costs one round trip. Each item carries what Node prepared: the name as sent and folded
   * (foldName, the same function that wrote `full_name_folded`), the date of birth in canonical form
   * (`YYYY[-MM[-DD]]`), and the fields it discloses. The checks mirror the documented rules: a name is `exact`
   * when identical, `normalized` when equal once folded; a date is `exact` when equal, `partial` when the record
   * holds only a prefix of it (year, or year-month); anything else is `mismatch`. Consent is decided before
   * existence, so that a non-state consumer cannot learn who exists.
   */
  async verify(items: readonly VerifyItem[], operation: 'verify' | 'verify_batch_item', access: AccessContext): Promise<VerifyRow[]> {
    if (items.length === 0) return [];
    const result = await this.pool.query<VerifyRow & { ordinal: string }>({
      name: 'registry_verify_audited',
      text: `
        WITH i AS (
          SELECT * FROM unnest($7::char(12)[], $8::char(64)[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
            WITH ORDINALITY AS i(id_number, hmac, masked, fields, name, folded_name, dob, sex, ordinal)),
        checked AS (
          SELECT i.ordinal, i.hmac, i.masked, i.fields, c.status,
                 (NOT $15::boolean OR EXISTS (
                   SELECT 1 FROM consents k
                   WHERE k.citizen_hmac = i.hmac AND k.consumer_id = $2::uuid AND k.service_code = $5
                     AND k.revoked_at IS NULL AND k.expires_at > now()
                     AND k.fields @> string_to_array(i.fields, ','))) AS consented,
                 c.id_number IS NOT NULL AS found,
                 CASE WHEN c.full_name = i.name THEN 'exact'
                      WHEN c.full_name_folded = i.folded_name THEN 'normalized' ELSE 'mismatch' END AS name_check,
                 CASE WHEN c.date_of_birth = i.dob THEN 'exact'
                      WHEN length(c.date_of_birth) < length(i.dob) AND left(i.dob, length(c.date_of_birth)) = c.date_of_birth
                        THEN 'partial' ELSE 'mismatch' END AS dob_check,
                 CASE WHEN i.sex IS NULL THEN NULL WHEN c.sex = i.sex THEN 'exact' ELSE 'mismatch' END AS sex_check
          FROM i LEFT JOIN citizens c ON c.id_number = i.id_number),
        decided AS (
          SELECT checked.*,
                 CASE WHEN NOT consented THEN 'refused'
                      WHEN NOT found THEN 'not_found'
                      WHEN name_check <> 'mismatch' AND dob_check <> 'mismatch' AND coalesce(sex_check, '') <> 'mismatch'
                        THEN 'match'
                      ELSE 'mismatch' END AS outcome
          FROM checked),
        audit AS (
          INSERT INTO access_audit (${AUDIT_COLUMNS})
          SELECT $1, $2::uuid, $3, $4, $5, $6, $16, d.hmac, d.masked,
                 CASE WHEN d.outcome = 'refused' THEN '{}' ELSE string_to_array(d.fields, ',') END, d.outcome,
                 CASE WHEN d.outcome = 'refused' THEN 'consent_required' END
          FROM decided d ORDER BY d.ordinal
          RETURNING 1)
        SELECT d.ordinal, d.outcome, d.status, d.name_check AS "nameCheck", d.dob_check AS "dobCheck", d.sex_check AS "sexCheck",
               (SELECT count(*) FROM audit) AS audited
        FROM decided d ORDER BY d.ordinal`,
      values: [
        ...contextValues(access),
        items.map((item) => item.idNumber),
        items.map((item) => item.hmac),
        items.map((item) => item.masked),
        items.map((item) => item.fields.join(',')),
        items.map((item) => item.fullName),
        items.map((item) => item.foldedName),
        items.map((item) => item.dateOfBirth),
        items.map((item) => item.sex ?? null),
        access.consumer.kind === 'non_state',
        operation,
      ],
    });
    return result.rows.map(({ ordinal: _ordinal, ...row }) => row);
  }
}

/** One verification, prepared in Node for the SQL that decides it. */
export interface VerifyItem {
  idNumber: string;
  hmac: string;
  masked: string;
  fields: readonly string[];
  fullName: string;
  foldedName: string;
  /** Canonical `YYYY[-MM[-DD]]` of the date the caller sent. */
  dateOfBirth: string;
  sex?: string;
}

/** The decision for one item, in the order of the items. */
export interface VerifyRow {
  outcome: 'refused' | 'not_found' | 'match' | 'mismatch';
  status: 'alive' | 'deceased' | 'missing' | null;
  nameCheck: 'exact' | 'normalized' | 'mismatch';
  dobCheck: 'exact' | 'partial' | 'mismatch';
  sexCheck: 'exact' | 'mismatch' | null;
}
