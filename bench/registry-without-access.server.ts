import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Param, Post, Query } from '@nestjs/common';
import type { AccessContext } from '../src/access/access-context.js';
import { AuditWriter } from '../src/access/audit-writer.service.js';
import { CitizenHmac } from '../src/access/citizen-hmac.js';
import { createLogger } from '../src/common/logger.js';
import { ConfigModule } from '../src/config/config.module.js';
import { DatabaseModule } from '../src/database/database.module.js';
import { createHttpApp } from '../src/gateway-app.js';
import { REGISTRY_FIELDS } from '../src/catalog/registry-fields.js';
import { selectList, type CitizenColumn } from '../src/registry/citizen-row.js';
import { CitizenReads } from '../src/registry/citizen-reads.js';
import { RegistryAccessRepository, type AuditedLookup } from '../src/registry/registry-access.repository.js';
import { RegistryRepository } from '../src/registry/registry.repository.js';
import { RegistryService } from '../src/registry/registry.service.js';

/**
 * Benchmark-only wiring (issue 3): the same registry look-up and verify endpoints, the same service code and HTTP
 * stack, but WITHOUT the access layer — no key, no purpose check, no consent query, no audit row. The product has no
 * such switch; this file exists so the benchmark can report what the access layer costs.
 */
const FIXED_ACCESS: AccessContext = {
  requestId: 'bench',
  consumer: { consumerId: '00000000-0000-0000-0000-000000000000', name: 'bench', kind: 'state', serviceCodes: new Set(['SANDBOX-ALL']), rateLimitPerSecond: null, dailyQuota: null },
  service: { code: 'SANDBOX-ALL', allowedFields: new Set(REGISTRY_FIELDS.map((f) => f.name)) },
  dossierId: null,
  officer: null,
};

/** The audited repository with the audit and the consent check taken out: the same coalesced primary-key read. */
class UnauditedRegistryAccessRepository extends RegistryAccessRepository {
  override async lookup(idNumber: string, _citizen: unknown, columns: readonly CitizenColumn[]): Promise<AuditedLookup> {
    const reads = (this as unknown as { reads: CitizenReads }).reads;
    const row = await reads.read<Record<string, unknown>>(idNumber, selectList(columns));
    return row ? { outcome: 'ok', row } : { outcome: 'not_found' };
  }
}

@Controller('registry/v1')
class UnguardedRegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Get('citizens/:idNumber')
  lookup(@Param('idNumber') idNumber: string, @Query('fields') fields: string | undefined) {
    return this.registry.lookup(idNumber, this.registry.resolveFields(fields, FIXED_ACCESS), FIXED_ACCESS);
  }

  @Post('citizens/verify')
  @HttpCode(200)
  verify(@Body() body: unknown) {
    return this.registry.verify(body, FIXED_ACCESS);
  }

  @Get('ready')
  ready() {
    return { ok: true };
  }
}

@Module({
  imports: [ConfigModule, DatabaseModule],
  controllers: [UnguardedRegistryController],
  providers: [
    RegistryService,
    RegistryRepository,
    CitizenReads,
    CitizenHmac,
    { provide: RegistryAccessRepository, useClass: UnauditedRegistryAccessRepository },
    { provide: AuditWriter, useValue: { append: async () => undefined } },
  ],
})
class RegistryWithoutAccessModule {}

const app = await createHttpApp(RegistryWithoutAccessModule, createLogger(process.env.LOG_LEVEL ?? 'info'));
await app.listen({ port: Number(process.env.PORT ?? 3102), host: '127.0.0.1' });
