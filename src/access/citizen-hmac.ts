import { createHmac } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import { maskIdNumber, validateIdNumber } from '../identity/id-number.js';
import type { CallRecord } from './call-record.js';

/**
 * Pseudonymises personal ID numbers for the audit and consents: an HMAC-SHA256 under a key generated once by the
 * CreateAccessAudit migration and kept in the database, so "who read my data" works across restarts while the
 * audit table alone does not reveal whose data was read.
 */
@Injectable()
export class CitizenHmac implements OnModuleInit {
  private key: Buffer | undefined;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async onModuleInit(): Promise<void> {
    const result = await this.pool.query<{ value: string }>(`SELECT value FROM access_secrets WHERE name = 'citizen_hmac_key'`);
    if (!result.rows[0]) throw new Error('access_secrets has no citizen_hmac_key: run the migrations');
    this.key = Buffer.from(result.rows[0].value, 'hex');
  }

  of(idNumber: string): string {
    return createHmac('sha256', this.key!).update(idNumber).digest('hex');
  }

  /**
   * The fingerprint of a request (consumer, operation, and the normalised request), for telling a retry of the same
   * request from a new one. Keyed, and with its own prefix, so it cannot be turned back into the ID number a request
   * holds, nor matched with the citizen's HMAC: the journal stores it and keeps no pseudonym.
   */
  requestFingerprint(consumerId: string | null, operation: string, normalizedRequest: string): string {
    return createHmac('sha256', this.key!).update(`request-fingerprint\0${consumerId ?? 'anonymous'}\0${operation}\0${normalizedRequest}`).digest('hex');
  }

  /**
   * The fingerprint of a call's request (its consumer, operation and normalised request), made once per call: the
   * fault engine counts a request's attempts by it and the journal stores it.
   */
  fingerprintOf(call: CallRecord): string {
    call.fingerprint ??= this.requestFingerprint(call.known.consumer?.consumerId ?? null, call.operation, call.values.normalizedRequest);
    return call.fingerprint;
  }

  /** The pair stored wherever a citizen is recorded: the HMAC to search by, the mask to show. */
  pseudonym(idNumber: string): { hmac: string; masked: string } {
    return { hmac: this.of(idNumber), masked: maskIdNumber(idNumber) };
  }

  /** The pseudonym of a valid ID number, or null for anything else (unchecked text is never recorded). */
  pseudonymIfValid(value: unknown): { hmac: string; masked: string } | null {
    return typeof value === 'string' && validateIdNumber(value.slice(0, 64)).length === 0 ? this.pseudonym(value) : null;
  }
}
