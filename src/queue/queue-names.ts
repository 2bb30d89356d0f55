import { z } from 'zod';

/** Every BullMQ queue of popgate. Redis holds work in flight; Postgres is the system of record. */
export enum QueueName {
  Sandbox = 'sandbox',
}

/** Every job name, across queues. */
export enum JobName {
  ResetDataset = 'reset-dataset',
}

/** Payload of JobName.ResetDataset: everything the generated dataset depends on. */
export const resetDatasetPayloadSchema = z.strictObject({
  seed: z.string().min(1).max(64),
  citizens: z.number().int().min(0).max(10_000_000),
  referenceDate: z.iso.date(),
});
export type ResetDatasetPayload = z.output<typeof resetDatasetPayloadSchema>;

/** The typed payload of each job name; processors parse with these schemas and never take `any`. */
export interface JobPayloads {
  [JobName.ResetDataset]: ResetDatasetPayload;
}

/** Prefix of every BullMQ key, so popgate can share a Redis with other tools. */
export const QUEUE_PREFIX = 'popgate';
