import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { BENCH_DATABASE_URL } from './bench-support.js';

/**
 * The benchmark's reference point (b): a minimal NestJS endpoint on the same adapter doing only the primary-key
 * look-up, with no validation, projection, logging or error mapping. popgate's throughput is reported against it.
 */
const pool = new pg.Pool({ connectionString: BENCH_DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });

@Controller()
class MinimalLookupController {
  @Get('citizens/:idNumber')
  async lookup(@Param('idNumber') idNumber: string) {
    const result = await pool.query({ name: 'minimal_lookup', text: 'SELECT * FROM citizens WHERE id_number = $1', values: [idNumber] });
    return result.rows[0] ?? {};
  }

  @Get('ready')
  ready() {
    return { ok: true };
  }
}

@Module({ controllers: [MinimalLookupController] })
class MinimalLookupModule {}

const app = await NestFactory.create<NestFastifyApplication>(MinimalLookupModule, new FastifyAdapter(), { logger: false });
app.enableShutdownHooks();
await app.listen({ port: Number(process.env.PORT ?? 3101), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
