import { expect } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { expectEventually } from './expect-eventually.js';
import { freePort } from './free-port.js';

/** A redis-server of this test's own, on a free port, so that it can be stopped without touching the shared one. */
export class PrivateRedis {
  private process: ChildProcess | undefined;
  private readonly directory = mkdtempSync(join(tmpdir(), 'popgate-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArguments: readonly string[],
  ) {}

  /** `extraArguments` are redis-server options (`--maxmemory-policy allkeys-lru`). */
  static async start(extraArguments: readonly string[] = []): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), extraArguments);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server, unless it is running: a second one would fail to bind and take the first's place here. */
  async start(): Promise<void> {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) return;
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.directory, ...this.extraArguments], { stdio: 'ignore' });
    await expectEventually(async () => {
      const probe = createRedisConnection(this.url);
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        expect(await probe.ping()).toBe('PONG');
      } finally {
        probe.disconnect();
      }
    }, 10_000, 100);
  }

  /** Stops the server (its pid only) and waits for it to exit. */
  async stop(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }

  /** Freezes the server: it keeps its connections but answers nothing (SIGSTOP), until resumed. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    this.resume();
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
