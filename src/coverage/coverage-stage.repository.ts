import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/pg-pool.token.js';
import type { IntegrationStage } from './coverage.dto.js';

/** The integration stages operators set (migration CreateCoverageStages); a service without a row is `planned`. */
@Injectable()
export class CoverageStageRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async stages(): Promise<Map<string, IntegrationStage>> {
    const { rows } = await this.pool.query<{ service_code: string; stage: IntegrationStage }>('SELECT service_code, stage FROM coverage_service_stages');
    return new Map(rows.map((row) => [row.service_code, row.stage]));
  }

  async set(serviceCode: string, stage: IntegrationStage): Promise<void> {
    await this.pool.query(
      `INSERT INTO coverage_service_stages (service_code, stage) VALUES ($1, $2)
       ON CONFLICT (service_code) DO UPDATE SET stage = EXCLUDED.stage, updated_at = now()`,
      [serviceCode, stage],
    );
  }
}
