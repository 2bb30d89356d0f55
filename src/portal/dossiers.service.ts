import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { normalizeRequest } from '../access/call-record.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { NotFoundError, UnprocessableContentError, ValidationFailedError } from '../common/domain-error.js';
import { newTimeOrderedId } from '../common/time-ordered-id.js';
import { maskIdNumber } from '../identity/id-number.js';
import type { DossierDetail, DossierQuery, DossierView, FileDossierInput } from './dossier.dto.js';
import { DossierRepository, type DossierRow, type NewDossier } from './dossier.repository.js';
import { VerificationProducer } from './verification.producer.js';

/**
 * A dossier id: a UUIDv7 (filing order) without a run of 12 digits, which the registry's dossier-id rule refuses
 * (it could be a personal ID number): about one UUID in 300 has one, and is drawn again.
 */
export function newDossierId(msecs = Date.now()): string {
  for (;;) {
    const id = newTimeOrderedId(msecs);
    if (!/\d{12}/.test(id)) return id;
  }
}

/** Who files a dossier: the portal consumer, or the operator with the admin key. */
export type Filer = { kind: 'admin' } | { kind: 'consumer'; consumerId: string };

function filerKey(filer: Filer): string {
  return filer.kind === 'admin' ? 'admin' : filer.consumerId;
}

/** Filing and reading dossiers. Verification is the VerificationProcessor's. */
@Injectable()
export class DossiersService {
  constructor(
    private readonly dossiers: DossierRepository,
    private readonly catalog: ServiceCatalog,
    private readonly producer: VerificationProducer,
  ) {}

  /**
   * Files a dossier: the dossier and its outbox row in one transaction, then its job (a Redis outage leaves the job
   * to the reconciler, and filing still succeeds). With an Idempotency-Key, a repeat of the same request returns the
   * first dossier; the same key with another body is a 422.
   */
  async file(input: FileDossierInput, filer: Filer, idempotencyKey: string | null): Promise<{ dossier: DossierView; replayed: boolean }> {
    if (!(await this.catalog.purpose(input.serviceCode))) {
      throw new ValidationFailedError(`No public service has the code ${input.serviceCode}.`, [
        { field: 'serviceCode', rule: 'unknown_service', message: 'is not a service of the catalog (GET /portal/v1/services)' },
      ]);
    }
    const requestHash = createHash('sha256').update(normalizeRequest(input)).digest('hex');
    const { row, created } = await this.dossiers.file(toNewDossier(input, filerKey(filer), idempotencyKey, requestHash, null));
    if (!created && row.requestHash !== requestHash) {
      throw new UnprocessableContentError('idempotency_key_reused', 'This Idempotency-Key was used for another request; use a new key for a new dossier.', [
        { field: 'header.Idempotency-Key', rule: 'reused', message: 'was sent before with a different body' },
      ]);
    }
    if (created) await this.producer.enqueue([row.dossierId]);
    return { dossier: toDossierView(row), replayed: !created };
  }

  async list(query: DossierQuery): Promise<{ dossiers: DossierView[]; nextCursor: string | null }> {
    const rows = await this.dossiers.list(query);
    const page = rows.slice(0, query.limit);
    return { dossiers: page.map(toDossierView), nextCursor: rows.length > query.limit ? page[page.length - 1].dossierId : null };
  }

  async detail(dossierId: string): Promise<DossierDetail> {
    const row = await this.dossiers.find(dossierId);
    if (!row) throw new NotFoundError('dossier_not_found', 'No dossier has this id.');
    const [history, attempts] = await Promise.all([this.dossiers.history(dossierId), this.dossiers.attempts(dossierId)]);
    return {
      ...toDossierView(row),
      history: history.map((event) => ({ status: event.status, reason: event.reason, note: event.note, at: event.at.toISOString() })),
      verificationAttempts: attempts.map((attempt) => ({
        jobId: attempt.jobId,
        attempt: attempt.attempt,
        startedAt: attempt.startedAt.toISOString(),
        finishedAt: attempt.finishedAt.toISOString(),
        outcome: attempt.outcome,
        problemCode: attempt.problemCode,
        calls: attempt.calls,
      })),
    };
  }
}

/** The row to write for a filing (the generator files through it too). */
export function toNewDossier(
  input: FileDossierInput,
  filedBy: string,
  idempotencyKey: string | null,
  requestHash: string,
  label: NewDossier['label'],
  dossierId: string = newDossierId(),
): NewDossier {
  const { applicant } = input;
  return {
    dossierId,
    serviceCode: input.serviceCode,
    filedBy,
    idempotencyKey,
    requestHash,
    applicant,
    applicantCommuneCode: applicant.currentAddress?.communeCode ?? applicant.permanentAddress?.communeCode ?? null,
    label,
  };
}

export function toDossierView(row: DossierRow): DossierView {
  return {
    dossierId: row.dossierId,
    serviceCode: row.serviceCode,
    status: row.status,
    reason: row.reason,
    reasonDetail: row.reasonDetail,
    applicant: {
      idNumber: maskIdNumber(row.applicant.idNumber),
      fullName: row.applicant.fullName,
      dateOfBirth: row.applicant.dateOfBirth,
      sex: row.applicant.sex ?? null,
      communeCode: row.applicantCommuneCode,
    },
    verification: row.verification,
    label: row.label,
    filedAt: row.filedAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    timeToDecisionMs: row.decidedAt ? row.decidedAt.getTime() - row.filedAt.getTime() : null,
    attempts: row.attempts,
  };
}
