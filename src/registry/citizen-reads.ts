import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import { StatementNames } from '../database/statement-names.js';

interface Waiter {
  resolve: (row: Record<string, unknown> | undefined) => void;
  reject: (error: unknown) => void;
}

/** Reads of one select list gathered during the current turn of the event loop, by ID number. */
interface PendingReads {
  selectList: string;
  statementName: string | undefined;
  waiters: Map<string, Waiter[]>;
  sent: boolean;
}

/** The most ID numbers one statement asks for; a busier turn is sent as several statements. */
const MAX_IDS_PER_STATEMENT = 1_000;

/**
 * Primary-key reads of citizens, coalesced: the reads asked for during one turn of the event loop with the same
 * select list go to PostgreSQL as one `id_number = ANY($1)` statement, and each caller gets its own row. Under load
 * many requests arrive in one turn, and one statement instead of one per request saves a round trip, a socket write
 * and a statement execution each (docs/BENCHMARKS.md); a lone read waits only for the end of the current turn.
 * Only reads that decide nothing but existence use it (a state agency's look-up and verify): reads that decide a
 * consent in the same statement stay one per call.
 */
@Injectable()
export class CitizenReads {
  private readonly pending = new Map<string, PendingReads>();
  private readonly statementNames = new StatementNames('citizen_reads');

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The columns of `selectList` (SQL select-list text over `citizens`) of one citizen, or undefined. */
  read<Row extends object>(idNumber: string, selectList: string): Promise<Row | undefined> {
    let batch = this.pending.get(selectList);
    if (batch && batch.waiters.size >= MAX_IDS_PER_STATEMENT && !batch.waiters.has(idNumber)) {
      // Full: it goes now, and this read starts the next statement.
      this.pending.delete(selectList);
      void this.send(batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { selectList, statementName: this.statementNames.nameFor(selectList), waiters: new Map(), sent: false };
      this.pending.set(selectList, batch);
      const scheduled = batch;
      // At the end of the turn, unless it went full before (send() then does nothing).
      setImmediate(() => {
        if (this.pending.get(selectList) === scheduled) this.pending.delete(selectList);
        void this.send(scheduled);
      });
    }
    const waiters = batch.waiters;
    return new Promise((resolve, reject) => {
      const waiter = { resolve: resolve as Waiter['resolve'], reject };
      const existing = waiters.get(idNumber);
      if (existing) existing.push(waiter);
      else waiters.set(idNumber, [waiter]);
    });
  }

  private async send(batch: PendingReads): Promise<void> {
    if (batch.sent) return;
    batch.sent = true;
    const idNumbers = [...batch.waiters.keys()];
    try {
      const result = await this.pool.query<Record<string, unknown> & { read_key: string }>({
        ...(batch.statementName ? { name: batch.statementName } : {}),
        text: `SELECT id_number AS read_key, ${batch.selectList} FROM citizens WHERE id_number = ANY ($1::char(12)[])`,
        values: [idNumbers],
      });
      const byIdNumber = new Map<string, Record<string, unknown>>();
      for (const { read_key: key, ...row } of result.rows) byIdNumber.set(key, row);
      for (const [idNumber, waiters] of batch.waiters) {
        const row = byIdNumber.get(idNumber);
        // Callers asking for the same citizen each get their own copy, so that none can change another's answer.
        waiters.forEach((waiter, index) => waiter.resolve(row && index > 0 ? { ...row } : row));
      }
    } catch (error) {
      for (const waiters of batch.waiters.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }
}
