import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/domain-error.js';
import { parseInput } from '../common/validation.js';
import { ServiceCatalog, serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { CitizenHmac } from './citizen-hmac.js';
import { consentIdSchema, consentInputSchema, consentListQuerySchema, toConsentView, type ConsentView } from './consent.dto.js';
import { ConsentEntity } from './consent.entity.js';
import { ConsumerEntity } from './consumer.entity.js';

/**
 * Citizens' consents to non-state consumers (banks, telcos), per purpose and field set, until an expiry. The
 * registry checks them in the statement that reads the data, on every call, so a revocation applies to the very next
 * call. The citizen is stored as an HMAC (to match) and a mask (to show), never as the clear number.
 */
@Injectable()
export class ConsentsService {
  private readonly consents: Repository<ConsentEntity>;
  private readonly consumers: Repository<ConsumerEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: ServiceCatalog,
    private readonly hmac: CitizenHmac,
  ) {
    this.consents = dataSource.getRepository(ConsentEntity);
    this.consumers = dataSource.getRepository(ConsumerEntity);
  }

  /**
   * Records a consent. `citizenExists` asks the registry (which sits above access) whether the citizen is there; it
   * is asked after the consumer checks, so the problems come in the same order whatever the registry holds.
   */
  async create(body: unknown, citizenExists: (idNumber: string) => Promise<boolean>): Promise<ConsentView> {
    // Read from the database rather than the catalog's in-memory copy, which may lag another process's change.
    const code = (body as { serviceCode?: unknown } | null)?.serviceCode;
    const service = typeof code === 'string' && serviceCodeSchema.safeParse(code).success ? await this.catalog.find(code) : null;
    const allowList = service ? new Set(service.allowedFields) : undefined;
    const input = parseInput(consentInputSchema((serviceCode) => (serviceCode === service?.code ? allowList : undefined)), body);

    const consumer = await this.consumers.findOneBy({ consumerId: input.consumerId });
    if (!consumer) throw new NotFoundError('consumer_not_found', `No consumer has the id ${input.consumerId}.`);
    if (consumer.kind === 'state') {
      throw new ConflictError(
        'consumer_is_state',
        'This consumer is a state agency: it reads on the legal basis of the procedure, and consents apply to non-state consumers only.',
        [{ field: 'consumerId', rule: 'non_state_only', message: 'must be a non-state consumer' }],
      );
    }
    if (!consumer.serviceCodes.includes(input.serviceCode)) {
      throw new ForbiddenError('service_not_granted', `Service ${input.serviceCode} is not granted to this consumer: grant it before recording a consent for it.`, [
        { field: 'serviceCode', rule: 'not_granted', message: `is not among the consumer's services` },
      ]);
    }
    if (!(await citizenExists(input.idNumber))) {
      throw new NotFoundError('citizen_not_found', 'No citizen has this ID number in the sandbox registry.');
    }

    const citizen = this.hmac.pseudonym(input.idNumber);
    // READ COMMITTED whatever the server's default: after waiting for the lock, the check must see what the create
    // that held it committed (a snapshot taken before the wait would not).
    const consent = await this.dataSource.transaction('READ COMMITTED', async (manager) => {
      // One live consent per citizen, consumer and service: a second one (a retried POST, say) would outlive the
      // revocation of the first, and the citizen's "no" would not hold. Two racing creates are serialised here.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`consent:${citizen.hmac}:${consumer.consumerId}:${input.serviceCode}`]);
      const [live] = await manager.query<{ consent_id: string }[]>(
        `SELECT consent_id FROM consents
         WHERE citizen_hmac = $1 AND consumer_id = $2 AND service_code = $3 AND revoked_at IS NULL AND expires_at > now()`,
        [citizen.hmac, consumer.consumerId, input.serviceCode],
      );
      if (live) {
        throw new ConflictError(
          'consent_exists',
          `This citizen already has a live consent for this consumer and service (${live.consent_id}); revoke it before recording another.`,
          [],
          { consentId: live.consent_id },
        );
      }
      return manager.save(
        manager.create(ConsentEntity, {
          citizenHmac: citizen.hmac,
          citizenMasked: citizen.masked,
          consumerId: consumer.consumerId,
          serviceCode: input.serviceCode,
          fields: input.fields,
          expiresAt: new Date(input.expiresAt),
          revokedAt: null,
        }),
      );
    });
    return toConsentView(consent);
  }

  /** Every consent of one citizen, newest first, revoked and expired ones included. */
  async listForCitizen(query: unknown): Promise<ConsentView[]> {
    const { idNumber } = parseInput(consentListQuerySchema, query, 'query');
    const consents = await this.consents.find({ where: { citizenHmac: this.hmac.of(idNumber) }, order: { createdAt: 'DESC', consentId: 'ASC' } });
    return consents.map(toConsentView);
  }

  /**
   * Revokes a consent. Idempotent: revoking a revoked consent keeps the first revocation time, so an operator's retry
   * after a lost answer is safe.
   */
  async revoke(id: string): Promise<void> {
    const consentId = parseInput(consentIdSchema, id, 'consentId');
    const result = await this.consents
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'coalesce(revoked_at, now())' })
      .where('consent_id = :consentId', { consentId })
      .execute();
    if (!result.affected) throw new NotFoundError('consent_not_found', `No consent has the id ${consentId}.`);
  }
}
