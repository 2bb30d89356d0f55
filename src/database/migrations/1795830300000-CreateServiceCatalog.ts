import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The public-service catalog: each service is a purpose with its field allow-list (data, not code). */
export class CreateServiceCatalog1795830300000 implements MigrationInterface {
  name = 'CreateServiceCatalog1795830300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE public_services (
        code text NOT NULL,
        national_procedure_code text,
        project06_number smallint,
        name_vi text NOT NULL,
        name_en text NOT NULL,
        lead_agency text NOT NULL,
        essential boolean NOT NULL DEFAULT false,
        allowed_fields text[] NOT NULL,
        note text,
        source text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_public_services PRIMARY KEY (code),
        CONSTRAINT chk_public_services_code CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
        CONSTRAINT chk_public_services_source CHECK (source IN ('config', 'api'))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE public_services`);
  }
}
