import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which synthetic dataset is loaded: one row, rewritten by every seed or reset. */
@Entity({ name: 'registry_dataset' })
export class RegistryDatasetEntity {
  @PrimaryColumn({ type: 'boolean', default: true, primaryKeyConstraintName: 'pk_registry_dataset' })
  singleton!: boolean;

  @Column({ type: 'text' }) seed!: string;
  @Column({ type: 'integer' }) citizens!: number;
  /** The "today" the generator used: the dataset depends only on seed, size and this date. */
  @Column({ name: 'reference_date', type: 'date' }) referenceDate!: string;
  @Column({ name: 'seeded_at', type: 'timestamptz', default: () => 'now()' }) seededAt!: Date;
}
