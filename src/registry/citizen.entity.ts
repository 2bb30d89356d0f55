import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Address, CitizenStatus, HouseholdRelationship, IdCard, MaritalStatus, Sex } from './citizen.js';
import { HouseholdEntity } from './household.entity.js';

/**
 * A citizen of the synthetic registry. Mirrors CitizenRecord column for column; never returned as a response (the
 * registry projects the requested fields instead). Bulk loads bypass TypeORM (COPY, see registry-seeder.ts).
 */
@Entity({ name: 'citizens' })
export class CitizenEntity {
  @PrimaryColumn({ name: 'id_number', type: 'char', length: 12, primaryKeyConstraintName: 'pk_citizens' })
  idNumber!: string;

  @Column({ type: 'text' }) surname!: string;
  @Column({ name: 'middle_name', type: 'text' }) middleName!: string;
  @Column({ name: 'given_name', type: 'text' }) givenName!: string;
  @Column({ name: 'full_name', type: 'text' }) fullName!: string;
  @Column({ name: 'other_names', type: 'text', nullable: true }) otherNames!: string | null;
  @Column({ name: 'date_of_birth', type: 'text' }) dateOfBirth!: string;
  @Column({ type: 'text' }) sex!: Sex;
  @Column({ name: 'place_of_birth', type: 'text' }) placeOfBirth!: string;
  @Column({ name: 'birth_registration_province_id_code', type: 'char', length: 3 }) birthRegistrationProvinceIdCode!: string;
  @Column({ name: 'birth_registration_place', type: 'text' }) birthRegistrationPlace!: string;
  @Column({ name: 'home_town', type: 'text' }) homeTown!: string;
  @Column({ name: 'ethnicity_code', type: 'char', length: 2 }) ethnicityCode!: string;
  @Column({ name: 'religion_code', type: 'char', length: 2 }) religionCode!: string;
  @Column({ type: 'char', length: 2 }) nationality!: string;
  @Column({ name: 'blood_group', type: 'text', nullable: true }) bloodGroup!: string | null;
  @Column({ name: 'old_id_number', type: 'char', length: 9, nullable: true }) oldIdNumber!: string | null;
  @Column({ name: 'id_card', type: 'jsonb', nullable: true }) idCard!: IdCard | null;
  @Column({ name: 'father_id_number', type: 'char', length: 12, nullable: true }) fatherIdNumber!: string | null;
  @Column({ name: 'father_name', type: 'text', nullable: true }) fatherName!: string | null;
  @Column({ name: 'mother_id_number', type: 'char', length: 12, nullable: true }) motherIdNumber!: string | null;
  @Column({ name: 'mother_name', type: 'text', nullable: true }) motherName!: string | null;
  @Column({ name: 'spouse_id_number', type: 'char', length: 12, nullable: true }) spouseIdNumber!: string | null;
  @Column({ name: 'spouse_name', type: 'text', nullable: true }) spouseName!: string | null;
  @Column({ name: 'spouse_nationality', type: 'char', length: 2, nullable: true }) spouseNationality!: string | null;
  @Column({ name: 'permanent_address', type: 'jsonb' }) permanentAddress!: Address;
  @Column({ name: 'temporary_address', type: 'jsonb', nullable: true }) temporaryAddress!: Address | null;
  @Column({ name: 'current_address', type: 'jsonb' }) currentAddress!: Address;
  @Column({ name: 'marital_status', type: 'text' }) maritalStatus!: MaritalStatus;
  @Column({ name: 'household_id', type: 'text' }) householdId!: string;

  @ManyToOne(() => HouseholdEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'household_id', referencedColumnName: 'householdId' })
  household?: Relation<HouseholdEntity>;

  @Column({ name: 'household_relationship', type: 'text' }) householdRelationship!: HouseholdRelationship;
  @Column({ type: 'text' }) status!: CitizenStatus;
  @Column({ name: 'status_date', type: 'date', nullable: true }) statusDate!: string | null;
  @Column({ name: 'phone_number', type: 'text', nullable: true }) phoneNumber!: string | null;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
