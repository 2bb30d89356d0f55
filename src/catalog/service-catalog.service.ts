import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { z } from 'zod';
import { ConflictError, ValidationFailedError } from '../common/domain-error.js';
import { fieldErrorsOf, safeText } from '../common/validation.js';
import { projectRoot } from '../reference/project-root.js';
import { REGISTRY_FIELD_BY_NAME } from './registry-fields.js';
import { PublicServiceEntity } from './public-service.entity.js';

/** A field name of the registry's catalogue (GET /registry/v1/fields). */
export const registryFieldSchema = z.string().refine((name) => REGISTRY_FIELD_BY_NAME.has(name), {
  message: 'is not a field of the registry (see GET /registry/v1/fields)',
  params: { rule: 'unknown_field' },
});

/** A service as operators write it (config file entries and POST/PUT bodies share this schema). */
export const publicServiceInputSchema = z.strictObject({
  nationalProcedureCode: z.string().regex(/^\d\.\d{6}$/, { message: 'must look like 1.004222' }).nullable().default(null),
  project06Number: z.number().int().min(1).max(999).nullable().default(null),
  nameVi: safeText(300).trim().min(1),
  nameEn: safeText(300).trim().min(1),
  leadAgency: safeText(200).trim().min(1),
  essential: z.boolean().default(false),
  allowedFields: z.array(registryFieldSchema).min(1).max(REGISTRY_FIELD_BY_NAME.size),
  note: safeText(500).nullable().default(null),
  minimumAge: z.number().int().min(1).max(120).nullable().default(null),
});
export type PublicServiceInput = z.output<typeof publicServiceInputSchema>;

export const serviceCodeSchema = z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, { message: 'must be 1-32 characters of A-Z a-z 0-9 . _ -' });

const configFileSchema = z.object({
  services: z.array(publicServiceInputSchema.extend({ code: serviceCodeSchema })),
});

/** What the access layer needs of a service on every registry call. */
export interface ServicePurpose {
  code: string;
  allowedFields: ReadonlySet<string>;
}

/**
 * Runs inside the transaction that adds a service to the catalog, so that what follows the catalog (the sandbox
 * developer consumer's grants) changes in the same commit; the returned function, if any, runs after the commit.
 */
export type ServiceAddedListener = (code: string, manager: EntityManager) => Promise<(() => void) | void>;

/**
 * The public-service catalog. The services of `config/public-services.json` are written to the database on start
 * (the file wins for the entries it lists); operators add or change others through the portal API. Every registry
 * call needs its service's allow-list, so the catalog is held in memory and reloaded after each change and every
 * few seconds (another process may have changed it).
 */
@Injectable()
export class ServiceCatalog implements OnModuleInit {
  private readonly repository: Repository<PublicServiceEntity>;
  private purposes = new Map<string, ServicePurpose>();
  private loadedAt = 0;
  private readonly serviceAddedListeners: ServiceAddedListener[] = [];

  /** How stale another process's change may be here; a change made through this process shows at once. */
  static readonly REFRESH_MS = 5_000;

  constructor(private readonly dataSource: DataSource) {
    this.repository = dataSource.getRepository(PublicServiceEntity);
  }

  /** Registers a listener for services added through the API (the config file's are handled on start). */
  whenServiceAdded(listener: ServiceAddedListener): void {
    this.serviceAddedListeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    await this.applyConfigFile(join(projectRoot(), 'config', 'public-services.json'));
    await this.reload();
  }

  /** Upserts the file's services; a malformed file stops the start with every problem listed. */
  async applyConfigFile(path: string): Promise<number> {
    const content: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const parsed = configFileSchema.safeParse(content);
    if (!parsed.success) {
      const errors = fieldErrorsOf(parsed.error, 'public-services.json', content);
      throw new ValidationFailedError(`config/public-services.json is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
    }
    const rows = parsed.data.services.map((service) => ({ ...service, source: 'config' as const, updatedAt: new Date() }));
    if (rows.length > 0) await this.repository.upsert(rows, ['code']);
    return rows.length;
  }

  async list(): Promise<PublicServiceEntity[]> {
    return this.repository.find({ order: { project06Number: { direction: 'ASC', nulls: 'LAST' }, code: 'ASC' } });
  }

  async find(code: string): Promise<PublicServiceEntity | null> {
    return this.repository.findOneBy({ code });
  }

  /** Creates a service; a taken code → 409 `service_exists` (decided by the primary key, so two racing creates cannot both win). */
  async create(code: string, input: PublicServiceInput): Promise<PublicServiceEntity> {
    try {
      await this.addingService(code, async (manager) => {
        await manager.insert(PublicServiceEntity, { code, ...input, source: 'api', updatedAt: new Date() });
        return true;
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError('service_exists', `A public service with the code ${code} exists already; PUT replaces it.`);
      }
      throw error;
    }
    return (await this.find(code))!;
  }

  /** Creates or replaces a service; returns whether it was created (decided by the upsert itself, so racing PUTs agree). */
  async save(code: string, input: PublicServiceInput): Promise<{ service: PublicServiceEntity; created: boolean }> {
    const created = await this.addingService(code, async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(PublicServiceEntity)
        .values({ code, ...input, source: 'api', updatedAt: new Date() })
        .orUpdate(['national_procedure_code', 'project06_number', 'name_vi', 'name_en', 'lead_agency', 'essential', 'allowed_fields', 'note', 'minimum_age', 'source', 'updated_at'], ['code'])
        // xmax is 0 on a row version this statement inserted, and set on one it updated.
        .returning('(xmax = 0) AS created')
        .execute();
      return (result.raw as Array<{ created: boolean }>)[0].created;
    });
    return { service: (await this.find(code))!, created };
  }

  /** Runs a catalog write in a transaction with the listeners of a new service, then reloads the catalog. */
  private async addingService(code: string, write: (manager: EntityManager) => Promise<boolean>): Promise<boolean> {
    const afterCommit: Array<() => void> = [];
    const added = await this.dataSource.transaction(async (manager) => {
      const isNew = await write(manager);
      if (isNew) {
        for (const listener of this.serviceAddedListeners) {
          const then = await listener(code, manager);
          if (then) afterCommit.push(then);
        }
      }
      return isNew;
    });
    for (const then of afterCommit) then();
    await this.reload();
    return added;
  }

  /** The purpose behind a service code, from memory (refreshed when older than REFRESH_MS). */
  async purpose(code: string): Promise<ServicePurpose | undefined> {
    if (Date.now() - this.loadedAt > ServiceCatalog.REFRESH_MS) await this.reload();
    return this.purposes.get(code);
  }

  allCodes(): string[] {
    return [...this.purposes.keys()];
  }

  private async reload(): Promise<void> {
    const services = await this.repository.find({ select: { code: true, allowedFields: true } });
    this.purposes = new Map(services.map((s) => [s.code, { code: s.code, allowedFields: new Set(s.allowedFields) }]));
    this.loadedAt = Date.now();
  }
}
