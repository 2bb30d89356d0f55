import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { AccessContext } from '../access/access-context.js';
import { PG_POOL } from '../database/database.module.js';
import { StatementNames } from '../database/statement-names.js';
import { selectList, type CitizenColumn, type CitizenRow } from './citizen-row.js';
import { CitizenReads } from './citizen-reads.js';
import type { VerificationSubject } from './registry.repository.js';

/** Outcome of an audited look-up: the row when it was served, or why not. */
export type AuditedLookup =
  | { outcome: 'ok'; row: Partial<CitizenRow> }
  | { outcome: 'not_found' }
  | { outcome: 'refused'; reason: 'consent_required' };

/** What verify compares, named as VerificationSubject. */
export const VERIFICATION_SUBJECT_SELECT = `id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex, status`;

/**
 * Registry reads decided together with a non-state consumer's consent, in one statement each, so that a
 * revocation applies to the very next call and refusals look the same whether or not the citizen exists.
 */
@Injectable()
export class RegistryAccessRepository {
  private readonly statementNames = new StatementNames('registry_lookup');

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly reads: CitizenReads,
  ) {}

  /**
   * The citizen's columns, with a non-state consumer's consent decided in the same statement. The caller appends the
   * audit record (AuditWriter, which shares commits between concurrent calls) before answering.
   */
  async lookup(
    idNumber: string,
    citizen: { hmac: string; masked: string },
    columns: readonly CitizenColumn[],
    fields: readonly string[],
    access: AccessContext,
  ): Promise<AuditedLookup> {
    if (access.consumer.kind === 'state') {
      // A state agency acts on its legal basis (the service): no consent to decide, a plain primary-key read,
      // coalesced with the concurrent ones.
      const row = await this.reads.read<Partial<CitizenRow>>(idNumber, selectList(columns));
      return row ? { outcome: 'ok', row } : { outcome: 'not_found' };
    }
    const name = this.statementNames.nameFor(columns.join(','));
    const result = await this.pool.query<Partial<CitizenRow> & { decision: string }>({
      ...(name ? { name } : {}),
      text: `
        WITH decision AS (
          -- Consent first: without it, a known and an unknown number get the same refusal (no enumeration).
          SELECT CASE
                   WHEN NOT EXISTS (
                     SELECT 1 FROM consents
                     WHERE citizen_hmac = $2 AND consumer_id = $3::uuid AND service_code = $4 AND revoked_at IS NULL
                       AND expires_at > now() AND fields @> $5::text[]) THEN 'refused'
                   ELSE 'ok' END AS decision)
        SELECT d.decision, c.* FROM decision d
        LEFT JOIN (SELECT ${selectList(columns)} FROM citizens WHERE id_number = $1) c ON d.decision = 'ok'`,
      values: [idNumber, citizen.hmac, access.consumer.consumerId, access.service.code, fields],
    });
    const { decision, ...row } = result.rows[0];
    if (decision === 'refused') return { outcome: 'refused', reason: 'consent_required' };
    if (row.id_number == null) return { outcome: 'not_found' };
    return { outcome: 'ok', row };
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
    if (access.consumer.kind === 'state' && items.length === 1) {
      // The common case, a state agency verifying one citizen: a plain primary-key read, nothing to consent.
      const subject = await this.reads.read<VerificationSubject>(items[0].idNumber, VERIFICATION_SUBJECT_SELECT);
      return [{ consented: true, subject }];
    }
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
