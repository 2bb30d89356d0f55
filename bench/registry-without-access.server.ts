import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Param, Post, Query } from '@nestjs/common';
import { DEFAULT_FIELDS } from '../src/catalog/registry-fields.js';
import { NotFoundError, ValidationFailedError } from '../src/common/domain-error.js';
import { createLogger } from '../src/common/logger.js';
import { MetricsModule } from '../src/common/metrics.module.js';
import { parseInput } from '../src/common/validation.js';
import { ConfigModule } from '../src/config/config.module.js';
import { DatabaseModule } from '../src/database/database.module.js';
import { createHttpApp } from '../src/gateway-app.js';
import { validateIdNumber } from '../src/identity/id-number.js';
import { CITIZEN_FIELD_BY_NAME, columnsOf } from '../src/registry/citizen-fields.js';
import { CitizenReads } from '../src/registry/citizen-reads.js';
import { selectList } from '../src/registry/citizen-row.js';
import { VERIFICATION_SUBJECT_SELECT } from '../src/registry/registry-access.repository.js';
import { verifyRequestSchema } from '../src/registry/registry.dto.js';
import type { VerificationSubject } from '../src/registry/registry.repository.js';
import { compareWithRecord } from '../src/registry/registry.service.js';

/**
 * Benchmark-only wiring: the registry's look-up and verify on the same HTTP stack, with the same validation, the
 * same coalesced primary-key reads, projections and matching as the shipped path, but WITHOUT the access layer: no
 * key, no purpose, no gate, no consent query, no audit row. It is built from the registry's own pieces rather than
 * from a faked access context, so it measures what the registry costs and nothing else. The product has no such
 * switch; this file exists so the benchmark can report what the access layer costs.
 */
@Controller('registry/v1')
class UnguardedRegistryController {
  constructor(private readonly reads: CitizenReads) {}

  @Get('citizens/:idNumber')
  async lookup(@Param('idNumber') idNumber: string, @Query('fields') fields: string | undefined) {
    assertIdNumber(idNumber);
    const names = fields ? fields.split(',').map((name) => name.trim()) : [...DEFAULT_FIELDS];
    const unknown = names.filter((name) => !CITIZEN_FIELD_BY_NAME.has(name));
    if (unknown.length > 0) throw new ValidationFailedError(`unknown field(s): ${unknown.join(', ')}`, []);
    const row = await this.reads.read<Record<string, unknown>>(idNumber, selectList(columnsOf(names)));
    if (!row) throw new NotFoundError('citizen_not_found', 'No citizen has this ID number in the sandbox registry.');
    const projected: Record<string, unknown> = {};
    for (const name of names) projected[name] = CITIZEN_FIELD_BY_NAME.get(name)!.project({ row, children: [] });
    return projected;
  }

  @Post('citizens/verify')
  @HttpCode(200)
  async verify(@Body() body: unknown) {
    const request = parseInput(verifyRequestSchema, body);
    return compareWithRecord(request, await this.reads.read<VerificationSubject>(request.idNumber, VERIFICATION_SUBJECT_SELECT));
  }

  @Get('ready')
  ready() {
    return { ok: true };
  }
}

function assertIdNumber(idNumber: string): void {
  const violations = validateIdNumber(idNumber.slice(0, 64));
  if (violations.length > 0) throw new ValidationFailedError('idNumber is not a valid personal ID number', []);
}

@Module({
  imports: [ConfigModule, MetricsModule, DatabaseModule.forRoot({ entities: [] })],
  controllers: [UnguardedRegistryController],
  providers: [CitizenReads],
})
class RegistryWithoutAccessModule {}

const app = await createHttpApp(RegistryWithoutAccessModule, createLogger(process.env.LOG_LEVEL ?? 'info'));
await app.listen({ port: Number(process.env.PORT ?? 3102), host: '127.0.0.1' });
