import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Portal records by ID number within their service: a sync batch asks, for each of its records, whether an earlier
 * record of the service holds the same ID number (a duplicate). Without this index the planner combined the
 * service's (service_code, record_id) index, scanning every earlier record of the service, with the ID-number
 * index: each batch cost more than the one before, and a run over 100,000 records slowed from 7 batches a second to
 * one every two seconds. With it the question is one index probe per record.
 */
export class IndexPortalRecordsByIdNumberInService1796700240000 implements MigrationInterface {
  name = 'IndexPortalRecordsByIdNumberInService1796700240000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_portal_records_service_id_number ON portal_records (service_code, id_number, record_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_records_service_id_number`);
  }
}
