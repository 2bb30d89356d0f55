import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { datasetSpecSchema } from '../config/dataset-spec.js';
import { JobName } from './queue-names.js';

/**
 * The payload schema of each job name. Producers add typed payloads; processors parse with these schemas and never
 * take `any`. Payloads carry no personal ID number in clear (a job carries ids: a dossier's, a run's).
 */
export const JOB_PAYLOAD_SCHEMAS = {
  /** Everything the generated dataset depends on. */
  [JobName.ResetDataset]: datasetSpecSchema,
  /** Today's partitions and retention are read from the clock and config when it runs: nothing to carry. */
  [JobName.JournalMaintenance]: z.strictObject({}),
  /** A dossier is verified from what Postgres holds of it: the job carries its id, never the applicant's data. */
  [JobName.VerifyDossier]: z.strictObject({ dossierId: z.uuid() }),
  /** A generation of portal records is drawn from the seed: the job carries the request, no citizen's data. */
  [JobName.GeneratePortalRecords]: z.strictObject({
    serviceCode: z.string().nullable(),
    count: z.number().int().positive(),
    driftRate: z.number().min(0).max(1),
    seed: z.string().min(1),
  }),
  /** A batch of a sync run: the run and the batch's number; its records are read from the run's plan in Postgres. */
  [JobName.SyncBatch]: z.strictObject({ runId: z.uuid(), batchNo: z.number().int().min(0) }),
  /** A scheduled sync run: the service and the mode; the run is requested as an operator's would be. */
  [JobName.SyncSchedule]: z.strictObject({ serviceCode: z.string().min(1).max(32), mode: z.enum(['verify', 'refresh']) }),
  /** The closed hours to roll up are read from the clock and Postgres when it runs: nothing to carry. */
  [JobName.CoverageRollups]: z.strictObject({}),
} satisfies Record<JobName, z.ZodType>;

export type JobPayload<N extends JobName> = z.output<(typeof JOB_PAYLOAD_SCHEMAS)[N]>;

/**
 * The job's payload, parsed with its name's schema. A payload that does not parse can never succeed, so it is an
 * UnrecoverableError: BullMQ fails the job at once instead of retrying it.
 */
export function parseJobPayload<N extends JobName>(name: N, job: Job): JobPayload<N> {
  const parsed = JOB_PAYLOAD_SCHEMAS[name].safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
  return parsed.data as JobPayload<N>;
}
