import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Address } from './citizen.js';

/** A household (Law on Identification 2023, art. 9 items 22-23). Members reference it by `householdId`. */
@Entity({ name: 'households' })
export class HouseholdEntity {
  @PrimaryColumn({ name: 'household_id', type: 'text', primaryKeyConstraintName: 'pk_households' })
  householdId!: string;

  @Column({ name: 'head_id_number', type: 'char', length: 12 })
  headIdNumber!: string;

  @Column({ type: 'jsonb' })
  address!: Address;
}
