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

/** A citizen as the portal's dossier generator files for them: what an applicant types, with 2025-map addresses. */
export interface ApplicantSample {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: Sex;
  status: CitizenStatus;
  permanentAddress: { detail: string; communeCode: string };
  /** The temporary residence when there is one, else the permanent one (as the registry's look-up answers it). */
  currentAddress: { detail: string; communeCode: string };
}

/** Which citizens a sample draws from. Only full birth dates and 2025-map addresses: what a portal form can hold. */
export interface ApplicantFilter {
  status: CitizenStatus;
  /** ISO date: born on or before it (inclusive). */
  bornOnOrBefore?: string;
  /** ISO date: born after it (exclusive). */
  bornAfter?: string;
}

/** A citizen with the residence they had before their last move (from the changes feed). */
export interface PreviousResidenceSample extends ApplicantSample {
  residence: 'permanent' | 'temporary';
  previous: { detail: string; communeCode: string };
}

const APPLICANT_COLUMNS = `
  c.id_number AS "idNumber", c.full_name AS "fullName", c.date_of_birth AS "dateOfBirth", c.sex, c.status,
  c.permanent_detail AS "permanentDetail", c.permanent_commune_code AS "permanentCommuneCode",
  coalesce(c.temporary_detail, c.permanent_detail) AS "currentDetail",
  CASE WHEN c.temporary_detail IS NULL THEN c.permanent_commune_code ELSE c.temporary_commune_code END AS "currentCommuneCode"`;

/** Citizens a portal form can describe: a full birth date, and both residences on the 2025 map. */
const APPLICANT_CONDITIONS = `
  c.date_of_birth ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND c.permanent_commune_code IS NOT NULL
  AND (c.temporary_detail IS NULL OR c.temporary_commune_code IS NOT NULL)`;

type ApplicantColumns = Omit<ApplicantSample, 'permanentAddress' | 'currentAddress'> & {
  permanentDetail: string;
  permanentCommuneCode: string;
  currentDetail: string;
  currentCommuneCode: string;
};

function applicantOf(row: ApplicantColumns): ApplicantSample {
  return {
    idNumber: row.idNumber,
    fullName: row.fullName,
    dateOfBirth: row.dateOfBirth,
    sex: row.sex,
    status: row.status,
    permanentAddress: { detail: row.permanentDetail, communeCode: row.permanentCommuneCode },
    currentAddress: { detail: row.currentDetail, communeCode: row.currentCommuneCode },
  };
}

/**
 * Registry reads on the hot path. They go to the pg pool directly with named prepared statements (parsed and planned
 * once per connection), which TypeORM's query API cannot do; the look-up benchmark depends on it.
 */
/**
 * The dataset epoch (see datasetEpoch) as an SQL expression, for a module that must compare it inside a statement of
 * its own (the portal's decision, taken only if the registry was not reset meanwhile): the registry says how it is
 * read; nobody else reads registry_dataset.
 */
export const DATASET_EPOCH_SQL = `coalesce((SELECT (extract(epoch FROM seeded_at) * 1000)::bigint FROM registry_dataset), 0)`;

@Injectable()
export class RegistryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Whether a citizen with this number is in the registry (sandbox controls check before they record about one). */
  /**
   * Which dataset the registry holds: the time it was seeded, in ms (0 when none is). Every seed and reset rewrites
   * it, so a job that read the registry before a reset can tell that its answers belong to an older dataset.
   */
  async datasetEpoch(): Promise<number> {
    const { rows } = await this.pool.query<{ epoch: string }>({ name: 'registry_dataset_epoch', text: `SELECT ${DATASET_EPOCH_SQL} AS epoch` });
    return Number(rows[0].epoch);
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

  /** Whether the feed has an event after `afterChangeId` (no personal data: a poller asks before it reads a page). */
  async hasChangesAfter(afterChangeId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ more: boolean }>({
      name: 'registry_has_changes_after',
      text: 'SELECT EXISTS (SELECT 1 FROM registry_changes WHERE change_id > $1::bigint) AS more',
      values: [afterChangeId],
    });
    return rows[0].more;
  }

  /**
   * Where the feed stands for a reader at `afterChangeId`: how many events it has not read, and when the first of
   * them was recorded (null when it is at the head). No personal data: the portal's follower reports its lag with it.
   */
  async feedPosition(afterChangeId: string): Promise<{ behind: number; oldestUnreadRecordedAt: Date | null }> {
    const { rows } = await this.pool.query<{ behind: string; oldest: Date | null }>({
      name: 'registry_feed_position',
      text: `SELECT (SELECT count(*) FROM registry_changes WHERE change_id > $1::bigint) AS behind,
                    (SELECT recorded_at FROM registry_changes WHERE change_id > $1::bigint ORDER BY change_id LIMIT 1) AS oldest`,
      values: [afterChangeId],
    });
    return { behind: Number(rows[0].behind), oldestUnreadRecordedAt: rows[0].oldest };
  }

  /**
   * A sample of up to `limit` citizens, in an order fixed by the seed: `md5(seed:idNumber)`, so the same seed on the
   * same dataset draws the same citizens in the same order, and another seed others. One statement (a scan and a
   * top-N sort; about a second on a million citizens), not a query per citizen.
   */
  async sampleApplicants(seed: string, filter: ApplicantFilter, limit: number): Promise<ApplicantSample[]> {
    const { rows } = await this.pool.query<ApplicantColumns>(
      `SELECT ${APPLICANT_COLUMNS} FROM citizens c
       WHERE ${APPLICANT_CONDITIONS} AND c.status = $2
         AND ($3::text IS NULL OR c.date_of_birth <= $3) AND ($4::text IS NULL OR c.date_of_birth > $4)
       ORDER BY md5($1 || ':' || c.id_number), c.id_number LIMIT $5`,
      [seed, filter.status, filter.bornOnOrBefore ?? null, filter.bornAfter ?? null, limit],
    );
    return rows.map(applicantOf);
  }

  /**
   * Living adults (born on or before `bornOnOrBefore`) whose last move in the changes feed recorded the residence
   * they left, with that residence: an address the registry held before. Seeded order as in sampleApplicants. The
   * seeded dataset's moves carry no previous address (only commune codes), so this finds the moves recorded
   * through POST /sandbox/registry/events.
   */
  async samplePreviousResidences(seed: string, bornOnOrBefore: string, limit: number): Promise<PreviousResidenceSample[]> {
    const { rows } = await this.pool.query<ApplicantColumns & { residence: 'permanent' | 'temporary'; previousDetail: string; previousCommuneCode: string }>(
      `WITH last_move AS (
         SELECT DISTINCT ON (id_number) id_number, details FROM registry_changes WHERE kind = 'move' ORDER BY id_number, change_id DESC
       )
       SELECT ${APPLICANT_COLUMNS}, m.details->>'residence' AS residence,
              m.details->'from'->>'detail' AS "previousDetail", m.details->'from'->>'communeCode' AS "previousCommuneCode"
       FROM last_move m JOIN citizens c ON c.id_number = m.id_number
       WHERE ${APPLICANT_CONDITIONS} AND c.status = 'alive' AND c.date_of_birth <= $2
         AND m.details->>'residence' IN ('permanent', 'temporary')
         AND m.details->'from'->>'communeCode' ~ '^[0-9]{5}$' AND length(m.details->'from'->>'detail') > 0
       ORDER BY md5($1 || ':' || c.id_number), c.id_number LIMIT $3`,
      [seed, bornOnOrBefore, limit],
    );
    return rows.map((row) => ({ ...applicantOf(row), residence: row.residence, previous: { detail: row.previousDetail, communeCode: row.previousCommuneCode } }));
  }

  /** Which of these ID numbers the registry holds: one statement for a whole list. */
  async existingIdNumbers(idNumbers: readonly string[]): Promise<Set<string>> {
    if (idNumbers.length === 0) return new Set();
    const { rows } = await this.pool.query<{ idNumber: string }>(`SELECT id_number AS "idNumber" FROM citizens WHERE id_number = ANY ($1::bpchar[])`, [idNumbers]);
    return new Set(rows.map((row) => row.idNumber));
  }
}
