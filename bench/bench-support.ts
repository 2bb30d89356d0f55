import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../src/reference/project-root.js';

/** Benchmarks use their own database so that they never replace a developer's sandbox data. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/popgate_bench';

export function machineSummary(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Appends a result line to bench/results/<name>.jsonl (git-ignored) so runs can be compared. */
export function recordResult(name: string, result: Record<string, unknown>): void {
  const folder = join(projectRoot(), 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  appendFileSync(join(folder, `${name}.jsonl`), JSON.stringify({ at: new Date().toISOString(), machine: machineSummary(), ...result }) + '\n');
}

/** Starts a compiled entry point as a child process and waits until `readyUrl` answers 200. */
export async function startServer(script: string, env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  // The same V8 flag as `npm start`, so the benchmark measures the gateway as users run it.
  const child = spawn(process.execPath, ['--max-semi-space-size=64', join(projectRoot(), 'dist', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${script} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(readyUrl);
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not become ready at ${readyUrl}`);
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * Drops the database of `databaseUrl` if it exists (its connections closed first), so that a benchmark that owns it
 * starts from nothing: what earlier runs left (millions of audit and result rows) would otherwise weigh on its figures.
 * The caller's prepareDatabase then creates and migrates it.
 */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const maintenance = new pg.Client({ connectionString: databaseUrl.replace(/\/[^/]*$/, '/postgres') });
  await maintenance.connect();
  try {
    await maintenance.query(`DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
  } finally {
    await maintenance.end();
  }
}

/** Starts a process (node with `args`) and waits until it prints `ready`: the floor's workers' line, or popgate's. */
export async function startProcess(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${args.join(' ')} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

/** A popgate worker process (`npm run worker`, with the same V8 flag), once it has started. */
export function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  return startProcess(['--max-semi-space-size=64', join(projectRoot(), 'dist/src/worker.js')], env, 'popgate worker started');
}

/** Stops processes with SIGTERM and waits until each has exited. */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
}
