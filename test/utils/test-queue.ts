import './test-env.js';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach } from '@jest/globals';
import { Queue, Worker, type Processor, type WorkerOptions } from 'bullmq';
import { bullConnection } from '../../src/queue/queue.module.js';

/**
 * Real BullMQ queues for a test, on the real Redis, each under a prefix of its own (so that nothing another test or
 * run left behind is seen), obliterated and closed after each test.
 */
export function useTestQueues() {
  const open: { queue: Queue; workers: Worker[] }[] = [];
  const connection = bullConnection(process.env.REDIS_URL!);

  const cleanUp = async () => {
    for (const { queue, workers } of open.splice(0)) {
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.obliterate({ force: true });
      await queue.close();
    }
  };
  afterEach(cleanUp);
  afterAll(cleanUp);

  return {
    /** A fresh queue and a way to start workers on it, with the same unique prefix. */
    queue(name: string) {
      const prefix = `popgate-test-${process.pid}-${randomUUID().slice(0, 8)}`;
      const queue = new Queue(name, { connection, prefix });
      const entry = { queue, workers: [] as Worker[] };
      open.push(entry);
      return {
        queue,
        prefix,
        worker(processor: Processor, options: Partial<WorkerOptions> = {}) {
          const worker = new Worker(name, processor, { connection, prefix, ...options });
          entry.workers.push(worker);
          return worker;
        },
      };
    },
  };
}
