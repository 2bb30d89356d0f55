import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A public service of the catalog: the purpose a registry call is made for, with the fields it may read. */
@Entity({ name: 'public_services' })
export class PublicServiceEntity {
  /** The national administrative-procedure code where known, else a stable local code (`P06-NN`). */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_public_services' }) code!: string;
  @Column({ name: 'national_procedure_code', type: 'text', nullable: true }) nationalProcedureCode!: string | null;
  /** Row number in the annex of Decision 06/QĐ-TTg, for the essential services. */
  @Column({ name: 'project06_number', type: 'smallint', nullable: true }) project06Number!: number | null;
  @Column({ name: 'name_vi', type: 'text' }) nameVi!: string;
  @Column({ name: 'name_en', type: 'text' }) nameEn!: string;
  @Column({ name: 'lead_agency', type: 'text' }) leadAgency!: string;
  @Column({ type: 'boolean', default: false }) essential!: boolean;
  /** Field names of GET /registry/v1/fields. */
  @Column({ name: 'allowed_fields', type: 'text', array: true }) allowedFields!: string[];
  @Column({ type: 'text', nullable: true }) note!: string | null;
  /** The youngest applicant the service accepts, in whole years on the day of filing; null: no age rule. */
  @Column({ name: 'minimum_age', type: 'smallint', nullable: true }) minimumAge!: number | null;
  /** `config`: from config/public-services.json (re-applied on start); `api`: added or changed by an operator. */
  @Column({ type: 'text' }) source!: 'config' | 'api';
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
