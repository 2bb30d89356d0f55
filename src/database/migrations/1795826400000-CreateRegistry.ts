import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry stand-in: citizens, households, the changes feed and the record of which dataset is loaded.
 * Addresses are stored as columns (detail, 2025 commune code or a pre-2025 commune and district, province code);
 * names are joined from the official code lists on read. That keeps a citizen row near 300 bytes, which is what lets
 * a million of them load in seconds. The current place of living is the temporary residence when there is one,
 * otherwise the permanent one, so it is not stored. The card's issuing authority follows from its issue date.
 * Relatives are linked by ID number without foreign keys: a parent or spouse may live outside the dataset (a name
 * with no number), as in the real database where records of the dead and of foreigners are incomplete.
 */
export class CreateRegistry1795826400000 implements MigrationInterface {
  name = 'CreateRegistry1795826400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE households (
        household_id text NOT NULL,
        head_id_number char(12) NOT NULL,
        address_detail text NOT NULL,
        address_commune_code char(5),
        address_legacy_commune text,
        address_legacy_district text,
        address_province_code char(2) NOT NULL,
        CONSTRAINT pk_households PRIMARY KEY (household_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE citizens (
        id_number char(12) NOT NULL,
        surname text NOT NULL,
        middle_name text NOT NULL,
        given_name text NOT NULL,
        full_name text NOT NULL,
        other_names text,
        date_of_birth text NOT NULL,
        sex text NOT NULL,
        place_of_birth text NOT NULL,
        birth_registration_province_id_code char(3) NOT NULL,
        birth_registration_place text NOT NULL,
        home_town text NOT NULL,
        ethnicity_code char(2) NOT NULL,
        religion_code char(2) NOT NULL,
        nationality char(2) NOT NULL,
        blood_group text,
        old_id_number char(9),
        card_issue_date date,
        card_expiry_date date,
        father_id_number char(12),
        father_name text,
        mother_id_number char(12),
        mother_name text,
        spouse_id_number char(12),
        spouse_name text,
        spouse_nationality char(2),
        permanent_detail text NOT NULL,
        permanent_commune_code char(5),
        permanent_legacy_commune text,
        permanent_legacy_district text,
        permanent_province_code char(2) NOT NULL,
        temporary_detail text,
        temporary_commune_code char(5),
        temporary_legacy_commune text,
        temporary_legacy_district text,
        temporary_province_code char(2),
        marital_status text NOT NULL,
        household_id text NOT NULL,
        household_relationship text NOT NULL,
        status text NOT NULL,
        status_date date,
        phone_number text,
        email text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_citizens PRIMARY KEY (id_number),
        CONSTRAINT chk_citizens_id_number CHECK (id_number ~ '^[0-9]{12}$'),
        CONSTRAINT chk_citizens_date_of_birth CHECK (date_of_birth ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
        CONSTRAINT chk_citizens_sex CHECK (sex IN ('male', 'female')),
        CONSTRAINT chk_citizens_marital_status CHECK (marital_status IN ('single', 'married', 'divorced', 'widowed')),
        CONSTRAINT chk_citizens_household_relationship
          CHECK (household_relationship IN ('head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other')),
        CONSTRAINT chk_citizens_status CHECK (status IN ('alive', 'deceased', 'missing')),
        CONSTRAINT chk_citizens_status_date CHECK ((status = 'alive') = (status_date IS NULL)),
        CONSTRAINT chk_citizens_card CHECK (card_issue_date IS NOT NULL OR card_expiry_date IS NULL),
        CONSTRAINT chk_citizens_permanent_commune CHECK ((permanent_commune_code IS NULL) <> (permanent_legacy_commune IS NULL)),
        CONSTRAINT chk_citizens_temporary_address CHECK ((temporary_detail IS NULL) = (temporary_province_code IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX idx_citizens_household_id ON citizens (household_id)`);
    await queryRunner.query(
      `CREATE INDEX idx_citizens_father_id_number ON citizens (father_id_number) WHERE father_id_number IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_citizens_mother_id_number ON citizens (mother_id_number) WHERE mother_id_number IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE registry_changes (
        change_id bigint GENERATED ALWAYS AS IDENTITY,
        kind text NOT NULL,
        id_number char(12) NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT pk_registry_changes PRIMARY KEY (change_id),
        CONSTRAINT chk_registry_changes_kind
          CHECK (kind IN ('birth', 'death', 'missing', 'move', 'marriage', 'divorce', 'new_card'))
      )`);
    await queryRunner.query(`CREATE INDEX idx_registry_changes_id_number ON registry_changes (id_number)`);
    await queryRunner.query(`
      CREATE TABLE registry_dataset (
        singleton boolean NOT NULL DEFAULT true,
        seed text NOT NULL,
        citizens integer NOT NULL,
        reference_date date NOT NULL,
        seeded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_registry_dataset PRIMARY KEY (singleton),
        CONSTRAINT chk_registry_dataset_singleton CHECK (singleton)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE registry_dataset`);
    await queryRunner.query(`DROP TABLE registry_changes`);
    await queryRunner.query(`DROP TABLE citizens`);
    await queryRunner.query(`DROP TABLE households`);
  }
}
