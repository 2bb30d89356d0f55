import { Worker } from 'bullmq';
import { bullConnection } from '../src/queue/queue.module.js';

/**
 * The floor of `bench:verification`: a worker process that completes every job at once, on the queue, prefix and
 * concurrency it is given (`node dist/bench/noop-worker.js QUEUE PREFIX CONCURRENCY`), with the metrics and stall
 * settings of the verification worker, so that what differs is the work a job does.
 */
const [queueName, prefix, concurrency] = process.argv.slice(2);
const worker = new Worker(queueName, async () => undefined, {
  connection: bullConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  prefix,
  concurrency: Number(concurrency),
  metrics: { maxDataPoints: 24 * 60 },
});
worker.on('ready', () => process.stdout.write('ready\n'));
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
