import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';
import { RegistryCalls } from '../src/registry/registry-calls.service.js';

/**
 * Benchmark-only: the in-process entry point (what the portal's jobs call), verify of one citizen, at the same
 * concurrency as the HTTP phases. Boots the application context as worker.ts does (no HTTP listener), reads the
 * samples and the consumer from the environment, and prints its figures as one JSON line.
 */
const samples = JSON.parse(readFileSync(process.env.BENCH_SAMPLES_FILE!, 'utf8')) as { idNumber: string; fullName: string; dateOfBirth: string }[];
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const concurrency = Number(process.env.BENCH_CONNECTIONS ?? 50);

const app = await NestFactory.createApplicationContext(AppModule.forRoot({ workers: false }), { logger: false });
const calls = app.get(RegistryCalls);
const caller = { consumerId: process.env.BENCH_CONSUMER_ID!, serviceCode: 'SANDBOX-ALL', dossierId: 'BENCH-1', jobId: 'bench', attempt: 1 };

async function run(duration: number): Promise<{ callsPerSecond: number; p99Ms: number; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let cursor = 0;
  const deadline = performance.now() + duration * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const sample = samples[cursor++ % samples.length];
      const started = performance.now();
      const outcome = await calls.verify(caller, { idNumber: sample.idNumber, fullName: sample.fullName.toUpperCase(), dateOfBirth: sample.dateOfBirth });
      latencies.push(performance.now() - started);
      if (outcome.kind !== 'ok') failures += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { callsPerSecond: Math.round(latencies.length / elapsed), p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(1)), failures };
}

await run(3);
const figures = await run(seconds);
process.stdout.write(JSON.stringify(figures) + '\n');
await app.close();
