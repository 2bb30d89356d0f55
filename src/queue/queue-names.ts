/** Every BullMQ queue of popgate. Redis holds work in flight; Postgres is the system of record. */
export enum QueueName {
  Sandbox = 'sandbox',
  /** Housekeeping: journal partitions and retention. */
  Maintenance = 'maintenance',
  /** The portal's dossiers, each verified against the registry by one job. */
  Verification = 'verification',
  /** The sandbox's generations of portal records (issue 9): one job per generation, its progress polled. */
  PortalRecords = 'portal-records',
  /** The portal's reconciliation runs of its records: one job per batch of a run. */
  Sync = 'sync',
  /** Coverage (issue 10): the rollups of the call journal's closed hours. */
  Coverage = 'coverage',
}

/** Every job name, across queues. */
export enum JobName {
  ResetDataset = 'reset-dataset',
  JournalMaintenance = 'journal-maintenance',
  VerifyDossier = 'verify-dossier',
  GeneratePortalRecords = 'generate-portal-records',
  SyncBatch = 'sync-batch',
  SyncSchedule = 'sync-schedule',
  CoverageRollups = 'coverage-rollups',
}

/** The queue each job name runs on: a producer adds a job only to its own queue. */
export const QUEUE_OF_JOB: Record<JobName, QueueName> = {
  [JobName.ResetDataset]: QueueName.Sandbox,
  [JobName.JournalMaintenance]: QueueName.Maintenance,
  [JobName.VerifyDossier]: QueueName.Verification,
  [JobName.GeneratePortalRecords]: QueueName.PortalRecords,
  [JobName.SyncBatch]: QueueName.Sync,
  [JobName.SyncSchedule]: QueueName.Sync,
  [JobName.CoverageRollups]: QueueName.Coverage,
};
