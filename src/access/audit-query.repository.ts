import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import type { AuditOperation, AuditOutcome } from './access-audit.entity.js';
import type { ConsumerKind } from './consumer.entity.js';

/** The largest audit_id (Postgres bigint): the cursor of a first page, which every record is below. */
export const MAX_AUDIT_ID = '9223372036854775807';

/** A page request: records strictly older than `cursor` (an audit_id), at most `limit` of them. */
export interface AuditPage {
  cursor: string | undefined;
  limit: number;
}

/** Filters of the operators' audit listing; each one given narrows it. `from` is inclusive, `to` exclusive. */
export interface AuditFilter {
  consumerId?: string;
  serviceCode?: string;
  dossierId?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
}

/** An audit record with its consumer and service named. Never the HMACs: they identify a person to whoever holds the key. */
export interface AuditRecord {
  auditId: string;
  at: string;
  requestId: string;
  consumer: { consumerId: string; name: string | null; kind: ConsumerKind | null } | null;
  serviceCode: string | null;
  serviceName: string | null;
  dossierId: string | null;
  officerMasked: string | null;
  citizenMasked: string | null;
  operation: AuditOperation;
  fields: string[];
  outcome: AuditOutcome;
  reason: string | null;
}

interface AuditRow {
  audit_id: string;
  occurred_at: Date;
  request_id: string;
  consumer_id: string | null;
  consumer_name: string | null;
  consumer_kind: ConsumerKind | null;
  service_code: string | null;
  service_name: string | null;
  dossier_id: string | null;
  officer_masked: string | null;
  citizen_masked: string | null;
  operation: AuditOperation;
  fields: string[];
  outcome: AuditOutcome;
  reason: string | null;
}

/** What every audit read selects: the record, its consumer's name and kind, its service's Vietnamese name. */
const RECORD_SELECT = `
  SELECT a.audit_id, a.occurred_at, a.request_id, a.consumer_id, c.name AS consumer_name, c.kind AS consumer_kind,
         a.service_code, s.name_vi AS service_name, a.dossier_id, a.officer_masked, a.citizen_masked,
         a.operation, a.fields, a.outcome, a.reason
    FROM access_audit a
    LEFT JOIN consumers c ON c.consumer_id = a.consumer_id
    LEFT JOIN public_services s ON s.code = a.service_code`;

/**
 * Reads of the append-only access audit, newest first, by keyset on audit_id (the order of appending): a cursor is
 * the last audit_id of the previous page, so pages never skip or repeat a record while new ones are appended. Each
 * query fetches one row more than the page to tell whether another page exists, without a COUNT.
 */
@Injectable()
export class AuditQueryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Who read this citizen's data ("who read my data"), through idx_access_audit_citizen (citizen_hmac, audit_id). */
  async whoAccessedCitizen(citizenHmac: string, page: AuditPage): Promise<AuditRecord[]> {
    const result = await this.pool.query<AuditRow>({
      name: 'audit_who_accessed_citizen',
      text: `${RECORD_SELECT}
             WHERE a.citizen_hmac = $1 AND a.audit_id < $2::bigint
             ORDER BY a.audit_id DESC
             LIMIT $3`,
      values: [citizenHmac, page.cursor ?? MAX_AUDIT_ID, page.limit + 1],
    });
    return result.rows.map(recordOf);
  }

  /**
   * Which records match the operator's filters. Built from the filters given, so that each query can use the index of
   * its most selective filter (idx_access_audit_consumer, idx_access_audit_dossier) or the primary key's order.
   */
  async recordsMatching(filter: AuditFilter, page: AuditPage): Promise<AuditRecord[]> {
    const values: unknown[] = [page.cursor ?? MAX_AUDIT_ID];
    const conditions = ['a.audit_id < $1::bigint'];
    const where = (condition: (parameter: string) => string, value: unknown): void => {
      values.push(value);
      conditions.push(condition(`$${values.length}`));
    };
    if (filter.consumerId !== undefined) where((p) => `a.consumer_id = ${p}::uuid`, filter.consumerId);
    if (filter.serviceCode !== undefined) where((p) => `a.service_code = ${p}`, filter.serviceCode);
    if (filter.dossierId !== undefined) where((p) => `a.dossier_id = ${p}`, filter.dossierId);
    if (filter.outcome !== undefined) where((p) => `a.outcome = ${p}`, filter.outcome);
    if (filter.from !== undefined) where((p) => `a.occurred_at >= ${p}::timestamptz`, filter.from);
    if (filter.to !== undefined) where((p) => `a.occurred_at < ${p}::timestamptz`, filter.to);
    values.push(page.limit + 1);
    const result = await this.pool.query<AuditRow>(
      `${RECORD_SELECT}
       WHERE ${conditions.join(' AND ')}
       ORDER BY a.audit_id DESC
       LIMIT $${values.length}`,
      values,
    );
    return result.rows.map(recordOf);
  }
}

function recordOf(row: AuditRow): AuditRecord {
  return {
    auditId: row.audit_id,
    at: row.occurred_at.toISOString(),
    requestId: row.request_id,
    consumer: row.consumer_id === null ? null : { consumerId: row.consumer_id, name: row.consumer_name, kind: row.consumer_kind },
    serviceCode: row.service_code,
    serviceName: row.service_name,
    dossierId: row.dossier_id,
    officerMasked: row.officer_masked,
    citizenMasked: row.citizen_masked,
    operation: row.operation,
    fields: row.fields,
    outcome: row.outcome,
    reason: row.reason,
  };
}
