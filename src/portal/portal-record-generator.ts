import { Injectable, Logger } from '@nestjs/common';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { ValidationFailedError } from '../common/domain-error.js';
import type { JobPayload } from '../queue/job-payloads.js';
import type { JobName } from '../queue/queue-names.js';
import type { GeneratedRecords } from './portal-record.dto.js';
import { DRIFT_KINDS, type DriftKind } from './portal-record-labels.js';
import { PortalRecordRepository, type GenericKind, type SpecialKind } from './portal-record.repository.js';

/**
 * Plan positions per INSERT ... SELECT. Each chunk is one statement over the plan's `ord` index (no parameters per
 * row, so Postgres's 65,535-parameter limit does not bound it); 100,000 rows keep a statement to a few seconds on the
 * bench dataset and give a progress step every few seconds.
 */
const CHUNK = 100_000;
/** Progress is 0-100: the planning statements take up to PLANNED, the inserts the rest. */
const PLANNED = 20;

const SPECIAL_KINDS: readonly SpecialKind[] = ['stale_address', 'unrecorded_death', 'marital_status'];
const GENERIC_KINDS: readonly GenericKind[] = ['lost_diacritics', 'wrong_birth_date', 'wrong_id_digit', 'not_in_registry'];

/** A generation's request, as its job carries it. */
export type GenerateRecordsRequest = JobPayload<JobName.GeneratePortalRecords>;

/** `round(count × driftRate)` drifted records, in equal shares per kind (the first kinds take the remainder). */
export function driftQuotas(count: number, driftRate: number): Record<DriftKind, number> {
  const drifted = Math.round(count * driftRate);
  const share = Math.floor(drifted / DRIFT_KINDS.length);
  const remainder = drifted % DRIFT_KINDS.length;
  return Object.fromEntries(DRIFT_KINDS.map((kind, index) => [kind, share + (index < remainder ? 1 : 0)])) as Record<DriftKind, number>;
}

/**
 * Generates the sandbox's portal records (POST /sandbox/portal/records/generate, run as a job): copies of registry
 * citizens as a service holds them, a share with one labelled drift each (portal-record-labels.ts). Everything is
 * drawn from md5(seed:…:idNumber) in SQL, so the same seed on the same dataset and catalog writes the same records
 * with the same labels; the registry's `citizens` and `registry_changes` are only read.
 */
@Injectable()
export class PortalRecordGenerator {
  private readonly logger = new Logger('PortalRecordGenerator');

  constructor(
    private readonly records: PortalRecordRepository,
    private readonly catalog: ServiceCatalog,
  ) {}

  /** The services a generation writes to: the one asked for (400 if unknown), or every catalog service, in code order. */
  async serviceCodes(serviceCode: string | null | undefined): Promise<string[]> {
    const codes = (await this.catalog.list()).map((service) => service.code).sort();
    if (serviceCode === null || serviceCode === undefined) return codes;
    if (!codes.includes(serviceCode)) {
      throw new ValidationFailedError(`No public service has the code ${serviceCode}.`, [
        { field: 'serviceCode', rule: 'unknown_service', message: 'is not a service of the catalog (GET /portal/v1/services)' },
      ]);
    }
    return [serviceCode];
  }

  /**
   * Replaces the records of the services (every one, whatever its source) with `count` new ones, in one transaction. `onProgress` gets 0-100
   * after each statement. The steps: the special kinds from their pools (a recorded move, a death, a marriage or
   * divorce), then the rest of the citizens, the duplicates' originals, the generic kinds among them (a special kind's
   * missing share goes to these), then the records in chunks of the plan, and the duplicates' second copies.
   */
  async generate(request: GenerateRecordsRequest, onProgress: (percent: number) => void = () => undefined): Promise<GeneratedRecords> {
    const startedAt = Date.now();
    const services = await this.serviceCodes(request.serviceCode);
    const quotas = driftQuotas(request.count, request.driftRate);
    const written = new Map<DriftKind, number>();
    const reasons = new Map<DriftKind, string>();
    const planningSteps = SPECIAL_KINDS.length + GENERIC_KINDS.length + 4;
    let step = 0;
    const planned = () => onProgress(Math.floor((++step / planningSteps) * PLANNED));

    const result = await this.records.inGenerationTransaction(async (client) => {
      const replaced = await this.records.deleteRecordsOf(client, services);
      await this.records.createPlan(client);
      planned();
      let missingShare = 0;
      let special = 0;
      for (const kind of SPECIAL_KINDS) {
        const made = await this.records.planSpecial(client, kind, request.seed, quotas[kind]);
        written.set(kind, made);
        special += made;
        missingShare += quotas[kind] - made;
        if (made < quotas[kind]) reasons.set(kind, SHORT_REASONS[kind]);
        planned();
      }
      const distinct = request.count - quotas.duplicate;
      const filled = await this.records.planFill(client, request.seed, distinct - special);
      planned();
      const duplicates = await this.records.planDuplicates(client, request.seed, Math.min(quotas.duplicate, filled));
      written.set('duplicate', duplicates);
      if (duplicates < quotas.duplicate) reasons.set('duplicate', SHORT_REASONS.duplicate);
      planned();
      for (const [index, kind] of GENERIC_KINDS.entries()) {
        const wanted = quotas[kind] + Math.floor(missingShare / GENERIC_KINDS.length) + (index < missingShare % GENERIC_KINDS.length ? 1 : 0);
        quotas[kind] = wanted;
        const made = await this.records.assignGeneric(client, kind, request.seed, wanted);
        written.set(kind, made);
        if (made < wanted) reasons.set(kind, SHORT_REASONS[kind]);
        planned();
      }
      const total = await this.records.orderPlan(client, request.seed, services);
      planned();
      let inserted = 0;
      for (let from = 0; from < total; from += CHUNK) {
        inserted += await this.records.insertPlanned(client, request.seed, from, from + CHUNK);
        onProgress(PLANNED + Math.floor((inserted / (total + duplicates)) * (100 - PLANNED)));
        if (total > CHUNK) this.logger.log(`generated portal records: ${inserted} of ${total + duplicates} written`);
      }
      inserted += await this.records.insertDuplicates(client);
      const counts = await this.records.generatedCounts(client, services);
      return { replaced, inserted, counts };
    });
    onProgress(100);

    const byKind = Object.fromEntries(['faithful', ...DRIFT_KINDS].map((kind) => [kind, 0])) as GeneratedRecords['byKind'];
    const byService: Record<string, number> = {};
    for (const row of result.counts) {
      byKind[row.kind as keyof GeneratedRecords['byKind']] += row.records;
      byService[row.serviceCode] = (byService[row.serviceCode] ?? 0) + row.records;
    }
    this.logger.log(`generated ${result.inserted} portal records for ${services.length} service(s) in ${Date.now() - startedAt} ms`);
    return {
      seed: request.seed,
      serviceCode: request.serviceCode,
      requested: request.count,
      records: result.inserted,
      replaced: result.replaced,
      byKind,
      byService,
      shortfalls: DRIFT_KINDS.filter((kind) => reasons.has(kind)).map((kind) => ({ kind, wanted: quotas[kind], written: written.get(kind) ?? 0, reason: reasons.get(kind)! })),
      durationMs: Date.now() - startedAt,
    };
  }
}

const SHORT_REASONS: Record<DriftKind, string> = {
  stale_address: 'too few citizens whose last recorded move (POST /sandbox/registry/events) kept the residence they left',
  unrecorded_death: 'too few deceased citizens in the registry',
  marital_status: 'too few living married or divorced citizens in the registry',
  lost_diacritics: 'too few citizens left whose name has diacritics',
  wrong_birth_date: 'too few citizens left with a full birth date',
  wrong_id_digit: 'too few citizens left (or no free number one digit away)',
  not_in_registry: 'too few citizens left with a full birth date to make someone new from',
  duplicate: 'too few faithful copies to duplicate',
};
