import { z } from 'zod';
import { datasetSpecSchema } from '../config/dataset-spec.js';

/** Every BullMQ queue of popgate. Redis holds work in flight; Postgres is the system of record. */
export enum QueueName {
  Sandbox = 'sandbox',
}

/** Every job name, across queues. */
export enum JobName {
  ResetDataset = 'reset-dataset',
}

/** Payload of JobName.ResetDataset: everything the generated dataset depends on. */
export const resetDatasetPayloadSchema = datasetSpecSchema;
export type ResetDatasetPayload = z.output<typeof resetDatasetPayloadSchema>;

/** The typed payload of each job name; processors parse with these schemas and never take `any`. */
export interface JobPayloads {
  [JobName.ResetDataset]: ResetDatasetPayload;
}

/** Prefix of every BullMQ key, so popgate can share a Redis with other tools. */
export const QUEUE_PREFIX = 'popgate';
