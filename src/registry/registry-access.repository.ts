import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { AccessContext } from '../access/access-context.js';
import { AUDIT_COLUMNS, contextValues } from '../access/audit-writer.service.js';
import { PG_POOL } from '../database/database.module.js';
import { selectList, type CitizenColumn, type CitizenRow } from './citizen-row.js';
import type { VerificationSubject } from './registry.repository.js';

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
   * For each requested number: whether a non-state consumer holds a live consent covering that item's `fields`
   * (always true for a state consumer), and the verification subject when the citizen exists. Consent is decided
   * whether or not the citizen exists, so that it cannot be used to learn who does. One round trip for a batch.
   */
  async verificationSubjects(
    items: readonly { idNumber: string; hmac: string; fields: readonly string[] }[],
    access: AccessContext,
  ): Promise<{ consented: boolean; subject: VerificationSubject | undefined }[]> {
    if (items.length === 0) return [];
    const result = await this.pool.query<VerificationSubject & { consented: boolean; ordinal: string; found: boolean }>({
      name: 'registry_verification_subjects_with_consent',
      text: `SELECT i.ordinal, c.id_number IS NOT NULL AS found, c.id_number AS "idNumber", c.full_name AS "fullName",
                    c.date_of_birth AS "dateOfBirth", c.sex, c.status,
                    (NOT $5::boolean OR EXISTS (
                      SELECT 1 FROM consents k
                      WHERE k.citizen_hmac = i.hmac AND k.consumer_id = $3::uuid AND k.service_code = $4
                        AND k.revoked_at IS NULL AND k.expires_at > now()
                        AND k.fields @> string_to_array(i.fields, ','))) AS consented
             FROM unnest($1::char(12)[], $2::char(64)[], $6::text[]) WITH ORDINALITY AS i(id_number, hmac, fields, ordinal)
             LEFT JOIN citizens c ON c.id_number = i.id_number
             ORDER BY i.ordinal`,
      values: [
        items.map((item) => item.idNumber),
        items.map((item) => item.hmac),
        access.consumer.consumerId,
        access.service.code,
        access.consumer.kind === 'non_state',
        items.map((item) => item.fields.join(',')),
      ],
    });
    return result.rows.map(({ consented, found, ordinal: _ordinal, ...subject }) => ({ consented, subject: found ? subject : undefined }));
  }
}
