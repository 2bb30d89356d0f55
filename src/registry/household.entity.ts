import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A household (Law on Identification 2023, art. 9 items 22-23). Members reference it by `householdId`. */
@Entity({ name: 'households' })
export class HouseholdEntity {
  @PrimaryColumn({ name: 'household_id', type: 'text', primaryKeyConstraintName: 'pk_households' })
  householdId!: string;

  @Column({ name: 'head_id_number', type: 'char', length: 12 })
  headIdNumber!: string;

  @Column({ name: 'address_detail', type: 'text' }) addressDetail!: string;
  @Column({ name: 'address_commune_code', type: 'char', length: 5, nullable: true }) addressCommuneCode!: string | null;
  @Column({ name: 'address_legacy_commune', type: 'text', nullable: true }) addressLegacyCommune!: string | null;
  @Column({ name: 'address_legacy_district', type: 'text', nullable: true }) addressLegacyDistrict!: string | null;
  @Column({ name: 'address_province_code', type: 'char', length: 2 }) addressProvinceCode!: string;
}
