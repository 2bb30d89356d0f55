import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { z } from 'zod';
import type { AuditOperation } from '../access/access-audit.entity.js';
import { ForbiddenError, NotFoundError, ValidationFailedError, type FieldError } from '../common/domain-error.js';
import { fieldErrorsOf, parseInput } from '../common/validation.js';
import { serviceCodeSchema, ServiceCatalog } from '../catalog/service-catalog.service.js';
import { projectRoot } from '../reference/project-root.js';
import { activeProfile, type ActiveProfile } from './active-profile.js';
import { CONNECTOR_OPERATIONS, connectorInputSchema, connectorOverrideSchema, operationName } from './connector.dto.js';
import { ConnectorEntity, type ConnectorOperation, type ConnectorState } from './connector.entity.js';
import { ConnectorUnavailableError } from './fault-errors.js';
import { withSeed, type FaultProfileDocument, type FaultProfileInput } from './fault-profile.js';

/** What the registry needs of a connector on every call, from memory. */
export interface ConnectorRuntime {
  serviceCode: string;
  state: ConnectorState;
  operations: ReadonlySet<AuditOperation>;
  profile: ActiveProfile | null;
  applyFaultsToAllCallers: boolean;
}

type ConnectorSettings = Omit<z.output<typeof connectorInputSchema>, 'faultProfile'> & { faultProfile: FaultProfileDocument | null };

const configFileSchema = z.strictObject({
  defaults: connectorInputSchema,
  services: z.record(serviceCodeSchema, connectorOverrideSchema).default({}),
});

/**
 * The connectors: one per catalog service. config/connectors.json gives a default for every service and overrides
 * for some; on start its values are written for every service an operator has not changed (`source` config), and a
 * service added to the catalog later gets the default in the same transaction. Operators change connectors with
 * PUT /connectors/v1/{serviceCode} (`source` api, kept across starts). Every registry call needs its service's
 * connector, so all of them are held in memory, reloaded after each change here and every REFRESH_MS (another
 * process may have changed one) without the call waiting for it.
 */
@Injectable()
export class ConnectorDirectory implements OnModuleInit {
  /** How stale another process's change may be here; a change made through this process applies at once. */
  static readonly REFRESH_MS = 2_000;
  private readonly logger = new Logger('ConnectorDirectory');
  private readonly repository: Repository<ConnectorEntity>;
  private connectors = new Map<string, ConnectorRuntime>();
  private defaults!: ConnectorSettings;
  private loadedAt = 0;
  private reloading: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: ServiceCatalog,
  ) {
    this.repository = dataSource.getRepository(ConnectorEntity);
    catalog.whenServiceAdded(async (code, manager) => {
      await this.insertDefaults([code], manager);
      return () => void this.reload();
    });
  }

  async onModuleInit(): Promise<void> {
    await this.applyConfigFile(join(projectRoot(), 'config', 'connectors.json'));
    await this.reload();
  }

  /**
   * Validates the file (every problem listed, as for config/public-services.json) and writes its values for every
   * catalog service whose connector no operator has changed.
   */
  async applyConfigFile(path: string): Promise<void> {
    const content: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const parsed = configFileSchema.safeParse(content);
    const errors: FieldError[] = parsed.success ? [] : fieldErrorsOf(parsed.error, 'connectors.json', content);
    const known = new Set(this.catalog.allCodes());
    const overrides = parsed.success ? parsed.data.services : {};
    for (const code of Object.keys((content as { services?: object } | null)?.services ?? {})) {
      if (!known.has(code)) errors.push({ field: `connectors.json.services.${code}`, rule: 'unknown_service', message: 'is not a service of the catalog (config/public-services.json)' });
    }
    if (errors.length > 0) throw new ValidationFailedError(`config/connectors.json is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
    const raw = content as { defaults: { faultProfile?: FaultProfileInput | null }; services: Record<string, { faultProfile?: FaultProfileInput | null }> };
    this.defaults = { ...parsed.data!.defaults, faultProfile: fileProfile(raw.defaults.faultProfile, 'defaults') };
    const rows = [...known].map((code) => {
      const override = overrides[code] ?? {};
      const rawProfile = raw.services?.[code] && 'faultProfile' in raw.services[code] ? fileProfile(raw.services[code].faultProfile, code) : this.defaults.faultProfile;
      return { code, ...this.defaults, ...override, faultProfile: rawProfile };
    });
    // Set-based: one statement for every service (a catalog holds tens of them). A row an operator changed is kept;
    // the profile's counters start again only when the file changed the profile.
    await this.dataSource.query(
      `INSERT INTO connectors (service_code, state, operations, fault_profile, apply_faults_to_all_callers, note, source)
       SELECT r.code, r.state, ARRAY(SELECT jsonb_array_elements_text(r.operations)), r.fault_profile, r.apply, r.note, 'config'
       FROM jsonb_to_recordset($1::jsonb) AS r(code text, state text, operations jsonb, fault_profile jsonb, apply boolean, note text)
       ON CONFLICT (service_code) DO UPDATE SET
         state = EXCLUDED.state, operations = EXCLUDED.operations, fault_profile = EXCLUDED.fault_profile,
         apply_faults_to_all_callers = EXCLUDED.apply_faults_to_all_callers, note = EXCLUDED.note, updated_at = now(),
         profile_version = CASE WHEN connectors.fault_profile IS DISTINCT FROM EXCLUDED.fault_profile THEN gen_random_uuid() ELSE connectors.profile_version END
       WHERE connectors.source = 'config'`,
      [JSON.stringify(rows.map((r) => ({ code: r.code, state: r.state, operations: r.operations, fault_profile: r.faultProfile, apply: r.applyFaultsToAllCallers, note: r.note })))],
    );
  }

  /** A new catalog service's connector, with the file's defaults (inside the catalog's transaction). */
  private async insertDefaults(codes: string[], manager: EntityManager): Promise<void> {
    const d = this.defaults;
    await manager.query(
      `INSERT INTO connectors (service_code, state, operations, fault_profile, apply_faults_to_all_callers, note, source)
       SELECT code, $2, $3::text[], $4::jsonb, $5, $6, 'config' FROM unnest($1::text[]) AS code
       ON CONFLICT (service_code) DO NOTHING`,
      [codes, d.state, d.operations, d.faultProfile === null ? null : JSON.stringify(d.faultProfile), d.applyFaultsToAllCallers, d.note],
    );
  }

  async list(): Promise<ConnectorEntity[]> {
    return this.repository.find({ order: { serviceCode: 'ASC' } });
  }

  async find(serviceCode: string): Promise<ConnectorEntity> {
    const connector = await this.repository.findOneBy({ serviceCode });
    if (!connector) throw new NotFoundError('service_not_found', `No public service has the code ${serviceCode}, so it has no connector.`);
    return connector;
  }

  /** Replaces a connector (PUT): validated as a whole, the profile stored as written with its seed. */
  async save(serviceCode: string, body: unknown): Promise<ConnectorEntity> {
    const code = parseInput(serviceCodeSchema, serviceCode, 'serviceCode');
    const input = parseInput(connectorInputSchema, body);
    const rawProfile = (body as { faultProfile?: FaultProfileInput | null }).faultProfile ?? null;
    const profile = rawProfile === null ? null : withSeed(rawProfile);
    const result = await this.dataSource.query(
      `UPDATE connectors SET state = $2, operations = $3::text[], fault_profile = $4::jsonb, apply_faults_to_all_callers = $5, note = $6,
              source = 'api', profile_version = gen_random_uuid(), updated_at = now()
       WHERE service_code = $1 RETURNING service_code`,
      [code, input.state, input.operations, profile === null ? null : JSON.stringify(profile), input.applyFaultsToAllCallers, input.note],
    );
    if ((result as [unknown[], number])[1] === 0) throw new NotFoundError('service_not_found', `No public service has the code ${code}, so it has no connector.`);
    await this.reload();
    return this.find(code);
  }

  /**
   * The connector of a call's service, checked: disabled or in maintenance → 503; an operation it does not enable →
   * 403 operation_not_enabled. From memory: no I/O.
   */
  check(serviceCode: string, operation: AuditOperation): ConnectorRuntime {
    if (Date.now() - this.loadedAt > ConnectorDirectory.REFRESH_MS) void this.reload();
    const connector = this.connectors.get(serviceCode) ?? this.defaultConnector(serviceCode);
    if (connector.state === 'disabled') {
      throw new ConnectorUnavailableError('connector_disabled', `The connector of service ${serviceCode} is disabled by an operator: the registry cannot be reached for it.`);
    }
    if (connector.state === 'maintenance') {
      throw new ConnectorUnavailableError('connector_maintenance', `The connector of service ${serviceCode} is in maintenance; try again after Retry-After.`);
    }
    if (!connector.operations.has(operation)) {
      const enabled = [...connector.operations].map(operationName);
      throw new ForbiddenError('operation_not_enabled', `The connector of service ${serviceCode} does not enable ${operationName(operation)}; it enables: ${enabled.join(', ') || 'nothing'}.`);
    }
    return connector;
  }

  /** The operations a service's connector enables, whatever its state, from memory: what a job may plan to call. */
  operationsOf(serviceCode: string): ReadonlySet<AuditOperation> {
    return (this.connectors.get(serviceCode) ?? this.defaultConnector(serviceCode)).operations;
  }

  /** The state of a service's connector (`enabled`, `maintenance`, `disabled`), from memory. */
  stateOf(serviceCode: string): ConnectorState {
    return (this.connectors.get(serviceCode) ?? this.defaultConnector(serviceCode)).state;
  }

  /** Reloads every connector (one query); concurrent callers share one reload. A failed reload keeps the last. */
  reload(): Promise<void> {
    this.reloading ??= this.repository
      .find()
      .then((rows) => {
        this.connectors = new Map(rows.map((row) => [row.serviceCode, runtimeOf(row)]));
      })
      .catch((error: unknown) => this.logger.warn(`could not reload the connectors, keeping the last ones: ${(error as Error).message}`))
      .finally(() => {
        this.loadedAt = Date.now();
        this.reloading = null;
      });
    return this.reloading;
  }

  /** A service added by another process since the last reload: the file's defaults until the reload. */
  private defaultConnector(serviceCode: string): ConnectorRuntime {
    return runtimeOf({ serviceCode, ...this.defaults, profileVersion: `default-${serviceCode}` } as ConnectorEntity);
  }
}

function runtimeOf(row: Pick<ConnectorEntity, 'serviceCode' | 'state' | 'operations' | 'faultProfile' | 'applyFaultsToAllCallers' | 'profileVersion'>): ConnectorRuntime {
  return {
    serviceCode: row.serviceCode,
    state: row.state,
    operations: new Set(row.operations.map((name: ConnectorOperation) => CONNECTOR_OPERATIONS[name])),
    profile: row.faultProfile ? activeProfile('connector', row.profileVersion, row.serviceCode, row.faultProfile) : null,
    applyFaultsToAllCallers: row.applyFaultsToAllCallers,
  };
}

/** A profile of the file, with a seed of its own when it names none, so that every start replays the same run. */
function fileProfile(profile: FaultProfileInput | null | undefined, where: string): FaultProfileDocument | null {
  return profile ? { ...profile, seed: profile.seed ?? `connectors.json:${where}` } : null;
}
