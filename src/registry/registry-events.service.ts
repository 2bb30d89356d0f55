import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/domain-error.js';
import { parseInput } from '../common/validation.js';
import { PG_POOL } from '../database/database.module.js';
import { ReferenceData } from '../reference/reference-data.js';
import type { Address, CitizenRecord, HouseholdRelationship, IdCard } from './citizen.js';
import { daysFromCivil } from '../identity/calendar-days.js';
import { idCardIssuedOn } from '../identity/id-card-rule.js';
import { composeIdNumber, PERSONA_RANDOM_FLOOR } from '../identity/id-number.js';
import { registryEventSchema, type RegistryEventRequest } from './registry-event.dto.js';
import { addressFromColumns, CITIZEN_COLUMNS, CITIZEN_SELECT, citizenFromRow, citizenValues, type CitizenRow } from './citizen-row.js';
import type { ChangeEvent, PendingChange } from './registry.dto.js';

/**
 * Advisory-lock key held while a change is recorded. Serialising writers makes `change_id` order equal commit order,
 * which is what lets a feed reader resume after the last id it saw without ever skipping an event.
 */
const CHANGES_LOCK_KEY = 0x0c4a_96e5;

/** An event as the feed shows it. */
export type RecordedChange = ChangeEvent;

/** Years between a (possibly partial) date of birth and a date, rounded down; partial dates count from 1 January. */
function ageOn(dateOfBirth: string, isoDate: string): number {
  const [by, bm = '01', bd = '01'] = dateOfBirth.split('-');
  const [y, m, d] = isoDate.split('-');
  const beforeBirthday = `${m}-${d}` < `${bm}-${bd}`;
  return Number(y) - Number(by) - (beforeBirthday ? 1 : 0);
}

/** Days since 1970-01-01 of a (possibly partial) ISO date; missing parts count as January / the 1st. */
function dayNumber(isoDate: string): number {
  const [year, month = '1', day = '1'] = isoDate.split('-');
  return daysFromCivil(Number(year), Number(month), Number(day));
}

/** Today in Vietnam (UTC+7, no daylight saving): an event dated today there must not count as future. */
function todayIso(): string {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Records sandbox change events (move, death, marriage, new card, birth...) so that the record and the changes
 * feed both carry them, atomically: the update and the feed rows commit together or not at all.
 */
@Injectable()
export class RegistryEventsService {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async record(body: unknown): Promise<{ changes: RecordedChange[] }> {
    const event = parseInput(registryEventSchema, body);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHANGES_LOCK_KEY]);
      const pending = await this.apply(client, event);
      const occurredAt = event.date ? `${event.date}T00:00:00Z` : new Date().toISOString();
      const changes: RecordedChange[] = [];
      for (const change of pending) {
        const inserted = await client.query<{ cursor: string; occurredAt: Date; recordedAt: Date }>(
          `INSERT INTO registry_changes (kind, id_number, occurred_at, details) VALUES ($1, $2, $3, $4)
           RETURNING change_id::text AS cursor, occurred_at AS "occurredAt", recorded_at AS "recordedAt"`,
          [change.kind, change.idNumber, occurredAt, change.details],
        );
        const row = inserted.rows[0];
        changes.push({ ...change, cursor: row.cursor, occurredAt: row.occurredAt.toISOString(), recordedAt: row.recordedAt.toISOString() });
      }
      await client.query('COMMIT');
      return { changes };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async apply(client: pg.PoolClient, event: RegistryEventRequest): Promise<PendingChange[]> {
    const date = event.date ?? todayIso();
    if (date > todayIso()) {
      throw new ValidationFailedError('date: must not be in the future', [{ field: 'date', rule: 'future_date', message: 'must not be in the future' }]);
    }
    switch (event.kind) {
      case 'move': {
        const citizen = await this.liveCitizen(client, event.idNumber, 'idNumber');
        this.assertNotBeforeBirth(citizen, date);
        const address = this.addressOf(event.address.detail, event.address.communeCode);
        if (event.residence === 'permanent') {
          await client.query(
            `UPDATE citizens SET permanent_detail = $2, permanent_commune_code = $3, permanent_legacy_commune = NULL,
               permanent_legacy_district = NULL, permanent_province_code = $4, updated_at = now()
             WHERE id_number = $1`,
            [citizen.idNumber, address.detail, address.communeCode, address.provinceCode],
          );
          // The household is registered at its head's permanent address, so the head's move moves the household.
          if (citizen.householdRelationship === 'head') {
            await client.query(
              `UPDATE households SET address_detail = $2, address_commune_code = $3, address_legacy_commune = NULL,
                 address_legacy_district = NULL, address_province_code = $4
               WHERE household_id = $1`,
              [citizen.householdId, address.detail, address.communeCode, address.provinceCode],
            );
          }
        } else {
          await client.query(
            `UPDATE citizens SET temporary_detail = $2, temporary_commune_code = $3, temporary_legacy_commune = NULL,
               temporary_legacy_district = NULL, temporary_province_code = $4, updated_at = now()
             WHERE id_number = $1`,
            [citizen.idNumber, address.detail, address.communeCode, address.provinceCode],
          );
        }
        const from = event.residence === 'permanent' ? citizen.permanentAddress : citizen.temporaryAddress;
        return [{ kind: 'move', idNumber: citizen.idNumber, details: { residence: event.residence, from, to: address } }];
      }
      case 'death':
      case 'missing': {
        const citizen = await this.liveCitizen(client, event.idNumber, 'idNumber');
        this.assertNotBeforeBirth(citizen, date);
        const status = event.kind === 'death' ? 'deceased' : 'missing';
        await client.query('UPDATE citizens SET status = $2, status_date = $3, updated_at = now() WHERE id_number = $1', [citizen.idNumber, status, date]);
        if (event.kind === 'death' && citizen.spouseIdNumber) {
          await client.query(
            `UPDATE citizens SET marital_status = 'widowed', updated_at = now() WHERE id_number = $1 AND marital_status = 'married' AND status <> 'deceased'`,
            [citizen.spouseIdNumber],
          );
        }
        return [{ kind: event.kind, idNumber: citizen.idNumber, details: { date } }];
      }
      case 'marriage': {
        if (event.idNumber === event.spouseIdNumber) {
          throw new ValidationFailedError('spouseIdNumber: must differ from idNumber', [{ field: 'spouseIdNumber', rule: 'same_person', message: 'must differ from idNumber' }]);
        }
        const first = await this.liveCitizen(client, event.idNumber, 'idNumber');
        const second = await this.liveCitizen(client, event.spouseIdNumber, 'spouseIdNumber');
        for (const [citizen, field] of [[first, 'idNumber'], [second, 'spouseIdNumber']] as const) {
          if (citizen.maritalStatus === 'married') {
            throw new ConflictError('already_married', `${field}: the citizen is already married`, [{ field, rule: 'already_married', message: 'is already married' }]);
          }
          // Law on Marriage and Family 2014, art. 8: men from 20, women from 18.
          const minimumAge = citizen.sex === 'male' ? 20 : 18;
          if (ageOn(citizen.dateOfBirth, date) < minimumAge) {
            throw new ConflictError('under_marriage_age', `${field}: under the legal marriage age (${minimumAge})`, [{ field, rule: 'marriage_age', message: `must be at least ${minimumAge} on the date of marriage` }]);
          }
        }
        if (first.sex === second.sex) {
          throw new ConflictError('same_sex_marriage', 'The Law on Marriage and Family 2014 registers marriages between a man and a woman only.', [{ field: 'spouseIdNumber', rule: 'opposite_sex', message: 'must be of the other sex' }]);
        }
        const link = `UPDATE citizens SET marital_status = 'married', spouse_id_number = $2, spouse_name = $3, spouse_nationality = $4, updated_at = now() WHERE id_number = $1`;
        await client.query(link, [first.idNumber, second.idNumber, second.fullName, second.nationality]);
        await client.query(link, [second.idNumber, first.idNumber, first.fullName, first.nationality]);
        return [
          { kind: 'marriage', idNumber: first.idNumber, details: { date, spouseIdNumber: second.idNumber } },
          { kind: 'marriage', idNumber: second.idNumber, details: { date, spouseIdNumber: first.idNumber } },
        ];
      }
      case 'divorce': {
        const citizen = await this.liveCitizen(client, event.idNumber, 'idNumber');
        this.assertNotBeforeBirth(citizen, date);
        if (citizen.maritalStatus !== 'married') {
          throw new ConflictError('not_married', 'idNumber: the citizen is not married', [{ field: 'idNumber', rule: 'not_married', message: 'is not married' }]);
        }
        const unlink = `UPDATE citizens SET marital_status = 'divorced', spouse_id_number = NULL, spouse_name = NULL, spouse_nationality = NULL, updated_at = now() WHERE id_number = $1`;
        await client.query(unlink, [citizen.idNumber]);
        const changes: PendingChange[] = [{ kind: 'divorce', idNumber: citizen.idNumber, details: { date, formerSpouseIdNumber: citizen.spouseIdNumber } }];
        if (citizen.spouseIdNumber) {
          const spouse = await client.query(unlink + ` AND spouse_id_number = $2`, [citizen.spouseIdNumber, citizen.idNumber]);
          if (spouse.rowCount) changes.push({ kind: 'divorce', idNumber: citizen.spouseIdNumber, details: { date, formerSpouseIdNumber: citizen.idNumber } });
        }
        return changes;
      }
      case 'new_card': {
        const citizen = await this.liveCitizen(client, event.idNumber, 'idNumber');
        this.assertNotBeforeBirth(citizen, date);
        if (citizen.idCard && date < citizen.idCard.issueDate) {
          throw new ConflictError('card_date_before_current', `date: the card on record was issued on ${citizen.idCard.issueDate}; a new card cannot predate it`, [
            { field: 'date', rule: 'after_current_card', message: `must not be before ${citizen.idCard.issueDate}` },
          ]);
        }
        const card: IdCard = idCardIssuedOn(dayNumber(citizen.dateOfBirth), dayNumber(date));
        await client.query('UPDATE citizens SET card_issue_date = $2, card_expiry_date = $3, updated_at = now() WHERE id_number = $1', [
          citizen.idNumber,
          card.issueDate,
          card.expiryDate,
        ]);
        return [{ kind: 'new_card', idNumber: citizen.idNumber, details: { card, previousCard: citizen.idCard } }];
      }
      case 'birth':
        return this.registerBirth(client, event, date);
    }
  }

  private async registerBirth(client: pg.PoolClient, event: Extract<RegistryEventRequest, { kind: 'birth' }>, date: string): Promise<PendingChange[]> {
    const mother = await this.liveCitizen(client, event.motherIdNumber, 'motherIdNumber');
    const father = event.fatherIdNumber ? await this.liveCitizen(client, event.fatherIdNumber, 'fatherIdNumber') : undefined;
    if (mother.sex !== 'female') {
      throw new ConflictError('parent_sex', 'motherIdNumber: the citizen is not female', [{ field: 'motherIdNumber', rule: 'female', message: 'must be a woman' }]);
    }
    if (father && father.sex !== 'male') {
      throw new ConflictError('parent_sex', 'fatherIdNumber: the citizen is not male', [{ field: 'fatherIdNumber', rule: 'male', message: 'must be a man' }]);
    }
    for (const [parent, field] of [[mother, 'motherIdNumber'], [father, 'fatherIdNumber']] as const) {
      if (parent && ageOn(parent.dateOfBirth, date) < 16) {
        throw new ConflictError('parent_too_young', `${field}: a parent must be at least 16 years older than the child`, [{ field, rule: 'parent_age', message: 'must be at least 16 years older than the child' }]);
      }
    }
    // The birth is registered where the mother lives; every 2025 province kept one of the old ID province codes.
    const provinceIdCode = '0' + mother.permanentAddress.provinceCode;
    const idProvince = ReferenceData.get().idProvince(provinceIdCode);
    if (!idProvince) throw new Error(`no ID province code for 2025 province ${mother.permanentAddress.provinceCode}`);
    const year = Number(date.slice(0, 4));
    const relationship: HouseholdRelationship =
      mother.householdRelationship === 'head' || mother.householdRelationship === 'spouse' ? 'child'
        : mother.householdRelationship === 'child' ? 'grandchild' : 'other';
    const surname = (father ?? mother).surname;
    const fullName = [surname, event.middleName, event.givenName].join(' ').normalize('NFC');
    const placeholders = CITIZEN_COLUMNS.map((_, index) => `$${index + 1}`).join(', ');
    for (let attempt = 0; attempt < 20; attempt++) {
      // Random parts stay below the persona range, which is reserved for the documented personas. The generator's
      // numbers are not known here, so uniqueness is left to the primary key (ON CONFLICT, then another draw).
      const idNumber = composeIdNumber(provinceIdCode, event.sex, year, randomInt(0, PERSONA_RANDOM_FLOOR));
      const newborn: CitizenRecord = {
        idNumber, surname, middleName: event.middleName.normalize('NFC'), givenName: event.givenName.normalize('NFC'), fullName,
        otherNames: null, dateOfBirth: date, sex: event.sex, placeOfBirth: mother.permanentAddress.provinceName,
        birthRegistrationProvinceIdCode: provinceIdCode, birthRegistrationPlace: idProvince.nameBefore2025,
        homeTown: (father ?? mother).homeTown, ethnicityCode: mother.ethnicityCode, religionCode: '00', nationality: 'VN',
        bloodGroup: null, oldIdNumber: null, idCard: null, fatherIdNumber: father?.idNumber ?? null,
        fatherName: father?.fullName ?? null, motherIdNumber: mother.idNumber, motherName: mother.fullName,
        spouseIdNumber: null, spouseName: null, spouseNationality: null, permanentAddress: mother.permanentAddress,
        temporaryAddress: mother.temporaryAddress, currentAddress: mother.currentAddress, maritalStatus: 'single',
        householdId: mother.householdId, householdRelationship: relationship, status: 'alive', statusDate: null,
        phoneNumber: null, email: null,
      };
      const inserted = await client.query(
        `INSERT INTO citizens (${CITIZEN_COLUMNS.join(', ')}) VALUES (${placeholders}) ON CONFLICT (id_number) DO NOTHING`,
        citizenValues(newborn),
      );
      if (inserted.rowCount === 1) {
        return [{ kind: 'birth', idNumber, details: { date, motherIdNumber: mother.idNumber, fatherIdNumber: father?.idNumber ?? null, householdId: mother.householdId } }];
      }
    }
    throw new ConflictError('id_space_exhausted', 'Could not find a free ID number for this province, sex and year.');
  }

  private async liveCitizen(client: pg.PoolClient, idNumber: string, field: string): Promise<CitizenRecord> {
    const result = await client.query<CitizenRow>(`SELECT ${CITIZEN_SELECT} FROM citizens WHERE id_number = $1 FOR UPDATE`, [idNumber]);
    const citizen = result.rows[0] && citizenFromRow(result.rows[0]);
    if (!citizen) throw new NotFoundError('citizen_not_found', `${field}: no citizen has this ID number in the sandbox registry.`);
    if (citizen.status !== 'alive') {
      throw new ConflictError('citizen_not_alive', `${field}: the citizen is recorded as ${citizen.status}`, [{ field, rule: 'alive', message: `is recorded as ${citizen.status}` }]);
    }
    return citizen;
  }

  private assertNotBeforeBirth(citizen: CitizenRecord, date: string): void {
    // A partial date of birth (YYYY or YYYY-MM) is compared on the part the record holds.
    if (date.slice(0, citizen.dateOfBirth.length) < citizen.dateOfBirth) {
      throw new ValidationFailedError('date: is before the date of birth', [{ field: 'date', rule: 'before_birth', message: 'must not be before the date of birth' }]);
    }
  }

  private addressOf(detail: string, communeCode: string): Address {
    const commune = ReferenceData.get().commune(communeCode);
    if (!commune) {
      throw new ValidationFailedError('address.communeCode: not a commune of the 2025 map', [
        { field: 'address.communeCode', rule: 'unknown_commune', message: 'is not a commune code of Official letter 1027/CTK-CSCL' },
      ]);
    }
    return addressFromColumns(detail.normalize('NFC'), commune.code, null, null, commune.provinceCode);
  }
}
