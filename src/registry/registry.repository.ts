import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { Address, CitizenStatus, Sex } from './citizen.js';
import type { ChangeDetails, ChangeKind, HouseholdMember } from './registry.dto.js';
import { addressFromColumns } from './citizen-row.js';
import { PG_POOL } from '../database/database.module.js';

/** The columns verification compares: the Decree 70/2024 key (ID, name, date of birth) plus sex and status. */
export interface VerificationSubject {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: Sex;
  status: CitizenStatus;
}

export interface ChildReference {
  idNumber: string;
  fullName: string;
  nationality: string;
}

export type { HouseholdMember };

/** A feed row: its details are what RegistryEventsService (or the seeding) wrote for its kind. */
export type RegistryChangeRow = { [K in ChangeKind]: { changeId: string; kind: K; idNumber: string; occurredAt: Date; recordedAt: Date; details: ChangeDetails<K> } }[ChangeKind];

/**
 * Registry reads on the hot path. They go to the pg pool directly with named prepared statements (parsed and planned
 * once per connection), which TypeORM's query API cannot do; the look-up benchmark depends on it.
 */
@Injectable()
export class RegistryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Whether a citizen with this number is in the registry (sandbox controls check before they record about one). */
  /**
   * Which dataset the registry holds: the time it was seeded, in ms (0 when none is). Every seed and reset rewrites
   * it, so a job that read the registry before a reset can tell that its answers belong to an older dataset.
   */
  async datasetEpoch(): Promise<number> {
    const { rows } = await this.pool.query<{ epoch: string }>(`SELECT (extract(epoch FROM seeded_at) * 1000)::bigint AS epoch FROM registry_dataset`);
    return rows.length === 0 ? 0 : Number(rows[0].epoch);
  }

  async citizenExists(idNumber: string): Promise<boolean> {
    const result = await this.pool.query({ name: 'registry_citizen_exists', text: 'SELECT 1 FROM citizens WHERE id_number = $1', values: [idNumber] });
    return (result.rowCount ?? 0) > 0;
  }

  async findChildren(idNumber: string): Promise<ChildReference[]> {
    const result = await this.pool.query<ChildReference>({
      name: 'registry_find_children',
      text: `SELECT id_number AS "idNumber", full_name AS "fullName", nationality FROM citizens
             WHERE father_id_number = $1 UNION
             SELECT id_number, full_name, nationality FROM citizens WHERE mother_id_number = $1
             ORDER BY "idNumber"`,
      values: [idNumber],
    });
    return result.rows;
  }

  async findHousehold(householdId: string): Promise<{ headIdNumber: string; address: Address } | undefined> {
    const result = await this.pool.query<{ head_id_number: string; detail: string; commune: string | null; legacy_commune: string | null; legacy_district: string | null; province: string }>({
      name: 'registry_find_household',
      text: `SELECT head_id_number, address_detail AS detail, address_commune_code AS commune,
                    address_legacy_commune AS legacy_commune, address_legacy_district AS legacy_district,
                    address_province_code AS province
             FROM households WHERE household_id = $1`,
      values: [householdId],
    });
    const row = result.rows[0];
    return row && { headIdNumber: row.head_id_number, address: addressFromColumns(row.detail, row.commune, row.legacy_commune, row.legacy_district, row.province) };
  }

  /** Members in a stable order: the head first, then by relationship and date of birth. */
  async findHouseholdMembers(householdId: string): Promise<HouseholdMember[]> {
    const result = await this.pool.query<HouseholdMember>({
      name: 'registry_find_household_members',
      text: `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex,
                    household_relationship AS relationship, status
             FROM citizens WHERE household_id = $1
             ORDER BY household_relationship <> 'head', date_of_birth, id_number`,
      values: [householdId],
    });
    return result.rows;
  }

  /** Events after `afterChangeId`, in commit order (see RegistryChangeEntity for why ids follow commit order). */
  async findChangesAfter(afterChangeId: string, limit: number): Promise<RegistryChangeRow[]> {
    const result = await this.pool.query<RegistryChangeRow>({
      name: 'registry_find_changes_after',
      text: `SELECT change_id::text AS "changeId", kind, id_number AS "idNumber", occurred_at AS "occurredAt",
                    recorded_at AS "recordedAt", details
             FROM registry_changes WHERE change_id > $1::bigint ORDER BY change_id LIMIT $2`,
      values: [afterChangeId, limit],
    });
    return result.rows;
  }
}

