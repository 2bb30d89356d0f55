import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallRecord } from '../access/call-record.js';
import { FaultEngine, type FaultEnding, type FaultPlan } from './fault-engine.service.js';

/** Pieces a slow body is cut into, sent at even intervals over its duration. */
const SLOW_BODY_PIECES = 10;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The HTTP side of the fault engine: reads the call's X-Sandbox-Session and X-Sandbox-Fault, and does on the socket
 * what each kind stands for. It owns the connections it holds (timeout) and the answers it delays, and lets go of
 * them when the app shuts down.
 */
@Injectable()
export class HttpFaults implements OnApplicationShutdown {
  private readonly held = new Set<Socket>();
  private readonly shutdown = new AbortController();

  constructor(private readonly engine: FaultEngine) {}

  /** The call's fault, decided after the gate admitted it; connector refusals and bad sandbox headers throw. */
  async decide(call: CallRecord, request: FastifyRequest, reply: FastifyReply): Promise<HttpFault | null> {
    const plan = await this.engine.decide(call, { sessionId: header(request, 'x-sandbox-session') ?? null, fault: header(request, 'x-sandbox-fault') ?? null });
    return plan && new HttpFault(plan, request, reply, this);
  }

  /** Holds a connection without answering until `ms` have passed (or the client gives up), then closes it. */
  hold(socket: Socket, ms: number): void {
    this.held.add(socket);
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      this.held.delete(socket);
    });
  }

  /** Waits `ms`, or less when the app shuts down (an answer delayed must not hold the shutdown up). */
  async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    await delay(ms, undefined, { signal: this.shutdown.signal }).catch(() => undefined);
  }

  get stopping(): AbortSignal {
    return this.shutdown.signal;
  }

  onApplicationShutdown(): void {
    this.shutdown.abort();
    for (const socket of this.held) socket.destroy();
  }
}

/** What every transport's fault reads off its plan: the journal's fault kind, its phase, its ending. */
export abstract class PlannedFault {
  constructor(readonly plan: FaultPlan) {}

  /** What the journal's fault_kind records. */
  get kind(): string {
    return this.plan.kind;
  }

  /** The registry must not run: the call fails before it answers. */
  get beforeAnswer(): boolean {
    return this.plan.phase === 'before_registry';
  }

  get ending(): FaultEnding {
    return this.plan.ending!;
  }
}

/** One call's fault over HTTP; see CallPipeline for where each step runs. */
export class HttpFault extends PlannedFault {
  constructor(
    plan: FaultPlan,
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly faults: HttpFaults,
  ) {
    super(plan);
  }

  /**
   * Fails a call before the registry answered, once it is journaled: throws the problem it is answered with (503,
   * 429, 500), or answers nothing at all (timeout, reset): the promise then never settles, so Nest never writes an
   * answer, and the request's objects are collected once the socket is gone.
   */
  fail(): Promise<never> {
    const { fault } = this.plan;
    const socket = this.request.raw.socket;
    if (fault?.kind === 'reset') {
      // A real RST (SO_LINGER 0), not a FIN: the client reads ECONNRESET.
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return new Promise<never>(() => undefined);
    }
    if (fault?.kind === 'timeout') {
      this.faults.hold(socket, fault.params.afterMs);
      return new Promise<never>(() => undefined);
    }
    void this.reply.header('x-sandbox-fault-applied', this.plan.applied);
    return Promise.reject(this.plan.failure!.error);
  }

  /**
   * The served answer, after its commit: delayed by the latency drawn, then cut in half (malformed) or dribbled
   * (slow_body). Nothing here holds a database connection: the call's rows are committed already.
   */
  async answer(result: unknown): Promise<unknown> {
    void this.reply.header('x-sandbox-fault-applied', this.plan.applied);
    await this.faults.wait(this.plan.latencyMs);
    const kind = this.plan.fault?.kind;
    if (kind !== 'malformed' && kind !== 'slow_body') return result;
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    if (!this.reply.hasHeader('content-type')) void this.reply.type('application/json; charset=utf-8');
    if (kind === 'malformed') return body.slice(0, Math.floor(body.length / 2));
    return slowBody(body, this.plan.fault!.params.durationMs, this.faults.stopping);
  }
}

/** A body sent in SLOW_BODY_PIECES pieces over `durationMs` (the first at once), ended early on shutdown. */
function slowBody(body: string, durationMs: number, stopping: AbortSignal): Readable {
  const bytes = Buffer.from(body, 'utf8');
  const pieces = Math.max(1, Math.min(SLOW_BODY_PIECES, bytes.length));
  const size = Math.ceil(bytes.length / pieces);
  const interval = pieces > 1 ? durationMs / (pieces - 1) : 0;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Readable({
    read() {
      if (timer) return;
      const push = () => {
        timer = undefined;
        const piece = bytes.subarray(sent * size, (sent + 1) * size);
        sent += 1;
        this.push(piece);
        if (sent >= pieces) this.push(null);
        else timer = setTimeout(push, stopping.aborted ? 0 : interval);
      };
      if (sent === 0) push();
      else timer = setTimeout(push, stopping.aborted ? 0 : interval);
    },
    destroy(error, callback) {
      clearTimeout(timer);
      callback(error);
    },
  });
}
