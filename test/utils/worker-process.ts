import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD = join(ROOT, '.test-build');
const STAMP = join(BUILD, '.built');

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compiles src/ into .test-build/ (the build's tsconfig, another output folder, so that `dist/` is left alone) unless
 * a build newer than every source file is there: tests that kill worker processes need real processes, and Node runs
 * only JavaScript. About 10 s on this machine; once per run at most.
 */
export function buildForProcesses(): void {
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs > Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'config')))) return;
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', BUILD], { cwd: ROOT, stdio: 'inherit' });
  writeFileSync(STAMP, new Date().toISOString());
}

/** A `npm run worker` process of the test's own (the compiled worker.ts), on the test's database and Redis. */
export class WorkerProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** Starts a worker and waits until it says it has started. */
  static async start(environment: Record<string, string> = {}): Promise<WorkerProcess> {
    buildForProcesses();
    const child = spawn(process.execPath, [join(BUILD, 'src/worker.js')], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', NODE_ENV: 'test', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child);
    const deadline = Date.now() + 30_000;
    while (!worker.output.includes('popgate worker started')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not start:\n${worker.output.slice(-3_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the worker printed (JSON log lines), for assertions about what it logged. */
  get log(): string {
    return this.output;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Kills it if it still runs (SIGKILL), for afterAll. */
  async stop(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}
