import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { normalizeRequest } from '../access/call-record.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { ValidationFailedError } from '../common/domain-error.js';
import { ConnectorDirectory } from '../connectors/connector-directory.service.js';
import { foldName } from '../identity/name-folding.js';
import { RegistryRepository, type ApplicantSample, type PreviousResidenceSample } from '../registry/registry.repository.js';
import { SeededRandom } from '../sandbox/population/seeded-random.js';
import type { Applicant, FileDossierInput } from './dossier.dto.js';
import {
  DISCREPANCY_KINDS,
  KIND_VERDICTS,
  LABEL_KINDS,
  checkedAddressFields,
  isCheckable,
  suits,
  withDayAndMonthSwapped,
  withTypo,
  withWrongDigit,
  withoutDiacritics,
  type AddressField,
  type DiscrepancyKind,
  type LabelKind,
  type ServiceChecks,
} from './dossier-labels.js';
import type { GenerateDossiersInput, GeneratedDossiers } from './dossier-quality.dto.js';
import { DossierRepository, type NewDossier } from './dossier.repository.js';
import { newDossierId, toNewDossier } from './dossiers.service.js';
import { VerificationProducer } from './verification.producer.js';

/**
 * Dossiers per transaction and per addBulk: each chunk is one multi-row insert whose rows travel as one jsonb
 * parameter (so Postgres's 65,535-parameter limit does not bound it), about 3 MB of JSON, and one Redis round trip.
 */
const CHUNK = 5_000;
/** The age from which the generator's applicants are adults when no service asks for more (Civil Code art. 20). */
const ADULT_AGE = 18;
/** Days kept between an applicant's birthday and an age limit, so that a dossier decided a day later keeps its label. */
const AGE_MARGIN_DAYS = 7;

/** The ISO date `years` years and `days` days before `today` (UTC). */
function isoBefore(today: Date, years: number, days: number): string {
  const date = new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate() - days));
  return date.toISOString().slice(0, 10);
}

function sameAddress(a: { detail: string; communeCode: string }, b: { detail: string; communeCode: string }): boolean {
  return a.communeCode === b.communeCode && foldName(a.detail) === foldName(b.detail);
}

/** Walks a seeded pool in order, round and round, taking the next citizen that fits. */
class PoolCursor {
  private next = 0;
  constructor(readonly pool: readonly ApplicantSample[]) {}

  take<T>(fits: (citizen: ApplicantSample) => T | null): { citizen: ApplicantSample; value: T } | null {
    for (let tried = 0; tried < this.pool.length; tried += 1) {
      const citizen = this.pool[this.next];
      this.next = (this.next + 1) % this.pool.length;
      const value = fits(citizen);
      if (value !== null) return { citizen, value };
    }
    return null;
  }
}

interface Planned {
  kind: LabelKind;
  service: ServiceChecks;
  applicant: Applicant;
  expected: string;
}

/**
 * Files realistic dossiers from registry citizens, a share of them with one labelled discrepancy each, for the
 * sandbox (POST /sandbox/portal/dossiers/generate). Deterministic for the seed: citizens are drawn by the registry's
 * seeded ordering, and every other choice by a SeededRandom of the seed, so the same seed on the same dataset and
 * catalog files the same applicants with the same labels. The registry is only read, through its repository.
 */
@Injectable()
export class DossierGenerator {
  private readonly logger = new Logger('DossierGenerator');

  constructor(
    private readonly registry: RegistryRepository,
    private readonly catalog: ServiceCatalog,
    private readonly connectors: ConnectorDirectory,
    private readonly dossiers: DossierRepository,
    private readonly producer: VerificationProducer,
  ) {}

  async generate(input: GenerateDossiersInput): Promise<GeneratedDossiers> {
    const startedAt = Date.now();
    const filedFrom = new Date();
    const services = await this.services(input.serviceCode);
    const rng = new SeededRandom(`dossiers:${input.seed}`);
    const today = new Date();

    const skipped = new Map<DiscrepancyKind, string>();
    const candidates = (kind: LabelKind, field?: AddressField) => services.filter((service) => suits(kind, service.rules, field));
    for (const kind of DISCREPANCY_KINDS) {
      if (candidates(kind).length === 0) skipped.set(kind, input.serviceCode ? `service ${input.serviceCode} cannot show it (see the label definitions)` : 'no catalog service can show it');
    }
    const adultAge = Math.max(ADULT_AGE, ...services.map((service) => service.rules.minimumAge ?? 0));
    const minorServices = candidates('minor_for_adult_service');
    const minorAge = Math.min(...minorServices.map((service) => service.rules.minimumAge!));

    // The exact share of discrepant dossiers, the kinds in turn, then the positions shuffled by the seed.
    const discrepant = Math.round(input.count * input.discrepancyRate);
    const draft = this.assignKinds(input.count, discrepant, DISCREPANCY_KINDS.filter((kind) => !skipped.has(kind)), rng);
    const needed = (kind: LabelKind) => draft.filter((k) => k === kind).length;
    const adults = { status: 'alive' as const, bornOnOrBefore: isoBefore(today, adultAge, AGE_MARGIN_DAYS) };
    const [main, deceased, missing, minors, moves] = await Promise.all([
      this.registry.sampleApplicants(input.seed, adults, Math.min(input.count + 200, 250_000)),
      needed('deceased_applicant') ? this.registry.sampleApplicants(input.seed, { status: 'deceased' }, needed('deceased_applicant')) : [],
      needed('missing_person') ? this.registry.sampleApplicants(input.seed, { status: 'missing' }, needed('missing_person')) : [],
      needed('minor_for_adult_service')
        ? this.registry.sampleApplicants(input.seed, { status: 'alive', bornAfter: isoBefore(today, minorAge, -AGE_MARGIN_DAYS) }, needed('minor_for_adult_service'))
        : [],
      needed('stale_address') ? this.registry.samplePreviousResidences(input.seed, adults.bornOnOrBefore, needed('stale_address')) : [],
    ]);
    if (main.length === 0) {
      throw new ValidationFailedError('The registry holds no adult citizen with a full birth date to file dossiers for.', [
        { field: 'count', rule: 'no_citizens', message: 'the registry has no citizen to file dossiers for: seed a dataset first (POST /sandbox/reset)' },
      ]);
    }
    const emptyPools: Array<[DiscrepancyKind, readonly unknown[], string]> = [
      ['deceased_applicant', deceased, 'the registry holds no deceased citizen with a full birth date'],
      ['missing_person', missing, 'the registry holds no missing citizen with a full birth date'],
      ['minor_for_adult_service', minors, `the registry holds no living citizen under ${minorAge} with a full birth date`],
    ];
    let kinds = draft;
    if (emptyPools.some(([kind, pool]) => needed(kind) > 0 && pool.length === 0)) {
      for (const [kind, pool, reason] of emptyPools) if (needed(kind) > 0 && pool.length === 0) skipped.set(kind, reason);
      kinds = this.assignKinds(input.count, discrepant, DISCREPANCY_KINDS.filter((kind) => !skipped.has(kind)), rng);
    }

    const cursors = {
      main: new PoolCursor(main),
      byKind: new Map<LabelKind, PoolCursor>(),
      donors: new PoolCursor(main),
      deceased: new PoolCursor(deceased),
      missing: new PoolCursor(missing),
      minors: new PoolCursor(minors),
    };
    const cursorOf = (kind: LabelKind) => {
      if (!cursors.byKind.has(kind)) cursors.byKind.set(kind, new PoolCursor(main));
      return cursors.byKind.get(kind)!;
    };
    let history = 0;
    const stale = { changeHistory: 0, synthesised: 0 };
    const pickService = (list: ServiceChecks[]) => list[rng.int(0, list.length - 1)];

    const planned: Planned[] = [];
    for (const kind of kinds) {
      const plan = (service: ServiceChecks, citizen: ApplicantSample, change: Partial<Applicant> = {}, expected = KIND_VERDICTS[kind]) =>
        planned.push({ kind, service, applicant: { ...applicantFor(citizen, service), ...change }, expected });
      // A kind that no citizen of the pool can carry (no diacritics to drop, no day to swap) files a clean dossier.
      const planClean = () => {
        const service = pickService(candidates('none'));
        planned.push({ kind: 'none', service, applicant: applicantFor(cursors.main.take((c) => c)!.citizen, service), expected: KIND_VERDICTS.none });
      };
      switch (kind) {
        case 'none':
        case 'upper_case':
        case 'nonexistent_id': {
          const { citizen } = cursorOf(kind === 'upper_case' ? 'upper_case' : 'none').take((c) => c)!;
          const change = kind === 'upper_case' ? { fullName: citizen.fullName.toUpperCase() } : {};
          plan(pickService(candidates(kind)), citizen, change);
          break;
        }
        case 'missing_diacritics': {
          const taken = cursorOf(kind).take((c) => (withoutDiacritics(c.fullName) !== c.fullName ? withoutDiacritics(c.fullName) : null));
          if (taken) plan(pickService(candidates(kind)), taken.citizen, { fullName: taken.value });
          else planClean();
          break;
        }
        case 'name_typo': {
          const { citizen } = cursorOf(kind).take((c) => c)!;
          plan(pickService(candidates(kind)), citizen, { fullName: withTypo(citizen.fullName, (n) => rng.int(0, n - 1)) ?? `${citizen.fullName}x` });
          break;
        }
        case 'day_month_swapped': {
          const taken = cursorOf(kind).take((c) => withDayAndMonthSwapped(c.dateOfBirth));
          if (taken) plan(pickService(candidates(kind)), taken.citizen, { dateOfBirth: taken.value });
          else planClean();
          break;
        }
        case 'wrong_id_digit': {
          const { citizen } = cursorOf(kind).take((c) => c)!;
          plan(pickService(candidates(kind)), citizen, { idNumber: withWrongDigit(citizen.idNumber, rng.int(0, 5), rng.int(0, 8)) });
          break;
        }
        case 'deceased_applicant':
        case 'missing_person':
        case 'minor_for_adult_service': {
          const cursor = kind === 'deceased_applicant' ? cursors.deceased : kind === 'missing_person' ? cursors.missing : cursors.minors;
          plan(pickService(candidates(kind)), cursor.take((c) => c)!.citizen);
          break;
        }
        case 'stale_address': {
          // First the residences the changes feed says the citizen left, each once; then synthesised ones.
          const moved = this.nextMove(moves, history, candidates);
          history = moved.next;
          if (moved.found) {
            const { citizen, field } = moved.found;
            plan(pickService(candidates(kind, field)), citizen, { [field]: citizen.previous }, `needs_review:field_mismatch:${field}`);
            stale.changeHistory += 1;
            break;
          }
          const service = pickService(candidates(kind));
          const fields = checkedAddressFields(service.rules);
          const field = fields[rng.int(0, fields.length - 1)];
          const { citizen } = cursorOf(kind).take((c) => c)!;
          const donor = cursors.donors.take((d) => (d[field].communeCode !== citizen[field].communeCode ? d[field] : null)) ?? cursors.donors.take((d) => (!sameAddress(d[field], citizen[field]) ? d[field] : null));
          if (!donor) {
            planClean();
            break;
          }
          plan(service, citizen, { [field]: donor.value }, `needs_review:field_mismatch:${field}`);
          stale.synthesised += 1;
          break;
        }
      }
    }
    await this.replaceUnknownIds(input.seed, planned);

    const byKind = Object.fromEntries(LABEL_KINDS.map((kind) => [kind, 0])) as Record<LabelKind, number>;
    const byService: Record<string, number> = {};
    let queued = true;
    for (let offset = 0; offset < planned.length; offset += CHUNK) {
      const chunk = planned.slice(offset, offset + CHUNK).map((dossier): NewDossier => {
        byKind[dossier.kind] += 1;
        byService[dossier.service.code] = (byService[dossier.service.code] ?? 0) + 1;
        const request: FileDossierInput = { serviceCode: dossier.service.code, applicant: dossier.applicant };
        const requestHash = createHash('sha256').update(normalizeRequest(request)).digest('hex');
        return toNewDossier(request, 'admin', null, requestHash, { kind: dossier.kind, expected: dossier.expected }, newDossierId());
      });
      await this.dossiers.fileMany(chunk);
      queued = (await this.producer.enqueue(chunk.map((dossier) => dossier.dossierId))) && queued;
      if (planned.length > CHUNK) this.logger.log(`generated dossiers: ${offset + chunk.length} of ${planned.length} filed (seed ${input.seed})`);
    }
    return {
      seed: input.seed,
      serviceCode: input.serviceCode ?? null,
      filed: planned.length,
      queued,
      byKind,
      byService,
      staleAddresses: stale,
      skippedKinds: [...skipped].map(([kind, reason]) => ({ kind, reason })),
      filedFrom: filedFrom.toISOString(),
      filedTo: new Date(Date.now() + 1).toISOString(),
      durationMs: Date.now() - startedAt,
    };
  }

  /** The catalog services the verifier can check (or the one asked for), in code order, with their rules. */
  private async services(serviceCode: string | undefined): Promise<ServiceChecks[]> {
    const all = (await this.catalog.list())
      .map((service) => ({
        code: service.code,
        rules: { allowedFields: new Set(service.allowedFields), operations: this.connectors.operationsOf(service.code), minimumAge: service.minimumAge },
      }))
      .sort((a, b) => (a.code < b.code ? -1 : 1));
    // Without a service asked for, only services whose connector is up now: a dossier sent to a disabled or
    // maintained connector would end as a dead letter, which says nothing of the matching rules.
    if (serviceCode === undefined) return all.filter((service) => isCheckable(service.rules) && this.connectors.stateOf(service.code) === 'enabled');
    const service = all.find((candidate) => candidate.code === serviceCode);
    if (!service) {
      throw new ValidationFailedError(`No public service has the code ${serviceCode}.`, [
        { field: 'serviceCode', rule: 'unknown_service', message: 'is not a service of the catalog (GET /portal/v1/services)' },
      ]);
    }
    if (!isCheckable(service.rules)) {
      throw new ValidationFailedError(`The connector and allow-list of ${serviceCode} leave nothing to verify a dossier with.`, [
        { field: 'serviceCode', rule: 'not_verifiable', message: "its connector enables neither verify nor a look-up of the name or birth date it may read" },
      ]);
    }
    return [service];
  }

  /** `count` kinds: `discrepant` of them the discrepancy kinds in turn, the rest `none`, in an order shuffled by the seed. */
  private assignKinds(count: number, discrepant: number, kinds: readonly DiscrepancyKind[], rng: SeededRandom): LabelKind[] {
    const assigned: LabelKind[] = Array.from({ length: count }, (_, index) => (kinds.length > 0 && index < discrepant ? kinds[index % kinds.length] : 'none'));
    for (let index = assigned.length - 1; index > 0; index -= 1) {
      const other = rng.int(0, index);
      [assigned[index], assigned[other]] = [assigned[other], assigned[index]];
    }
    return assigned;
  }

  /** The next recorded move (from `from` on) whose left residence differs from today's and that a service can check. */
  private nextMove(
    moves: readonly PreviousResidenceSample[],
    from: number,
    candidates: (kind: LabelKind, field?: AddressField) => ServiceChecks[],
  ): { found: { citizen: PreviousResidenceSample; field: AddressField } | null; next: number } {
    for (let index = from; index < moves.length; index += 1) {
      const citizen = moves[index];
      // The current place is the temporary residence when there is one: a temporary residence left is a stale current address.
      const field: AddressField = citizen.residence === 'permanent' ? 'permanentAddress' : 'currentAddress';
      if (!sameAddress(citizen.previous, citizen[field]) && candidates('stale_address', field).length > 0) return { found: { citizen, field }, next: index + 1 };
    }
    return { found: null, next: moves.length };
  }

  /**
   * Gives each `nonexistent_id` dossier a well-formed number (the applicant's province, century-and-sex and year
   * digits, six random ones) that the registry does not hold: drawn by the seed, checked in one query per round.
   */
  private async replaceUnknownIds(seed: string, planned: Planned[]): Promise<void> {
    let pending = planned.flatMap((dossier, index) => (dossier.kind === 'nonexistent_id' ? [index] : []));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round > 20) throw new Error('could not draw ID numbers that the registry does not hold');
      for (const index of pending) {
        const random = new SeededRandom(`${seed}:nonexistent:${index}:${round}`);
        const tail = String(random.int(0, 999_999)).padStart(6, '0');
        planned[index].applicant = { ...planned[index].applicant, idNumber: planned[index].applicant.idNumber.slice(0, 6) + tail };
      }
      const taken = await this.registry.existingIdNumbers(pending.map((index) => planned[index].applicant.idNumber));
      pending = pending.filter((index) => taken.has(planned[index].applicant.idNumber));
    }
  }
}

/** What the applicant types for a service: the key triple, and the sex and addresses the service's form asks for. */
function applicantFor(citizen: ApplicantSample, service: ServiceChecks): Applicant {
  const may = (field: string) => service.rules.allowedFields.has(field);
  return {
    idNumber: citizen.idNumber,
    fullName: citizen.fullName,
    dateOfBirth: citizen.dateOfBirth,
    ...(may('sex') ? { sex: citizen.sex } : {}),
    ...(may('permanentAddress') ? { permanentAddress: citizen.permanentAddress } : {}),
    ...(may('currentAddress') ? { currentAddress: citizen.currentAddress } : {}),
  };
}
