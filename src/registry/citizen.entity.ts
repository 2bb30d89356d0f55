import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { CitizenStatus, HouseholdRelationship, MaritalStatus, Sex } from './citizen.js';
import { HouseholdEntity } from './household.entity.js';

/**
 * A citizen row of the synthetic registry, as the CreateRegistry migration defines it. Never returned as a response
 * (the registry projects the requested fields instead); hot paths and bulk loads use SQL through citizen-row.ts.
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
  /** Null when no card was issued; the issuing authority follows from this date (see citizen-row.ts). */
  @Column({ name: 'card_issue_date', type: 'date', nullable: true }) cardIssueDate!: string | null;
  /** Null for a card that never expires. */
  @Column({ name: 'card_expiry_date', type: 'date', nullable: true }) cardExpiryDate!: string | null;
  @Column({ name: 'father_id_number', type: 'char', length: 12, nullable: true }) fatherIdNumber!: string | null;
  @Column({ name: 'father_name', type: 'text', nullable: true }) fatherName!: string | null;
  @Column({ name: 'mother_id_number', type: 'char', length: 12, nullable: true }) motherIdNumber!: string | null;
  @Column({ name: 'mother_name', type: 'text', nullable: true }) motherName!: string | null;
  @Column({ name: 'spouse_id_number', type: 'char', length: 12, nullable: true }) spouseIdNumber!: string | null;
  @Column({ name: 'spouse_name', type: 'text', nullable: true }) spouseName!: string | null;
  @Column({ name: 'spouse_nationality', type: 'char', length: 2, nullable: true }) spouseNationality!: string | null;
  @Column({ name: 'permanent_detail', type: 'text' }) permanentDetail!: string;
  /** A 2025 commune; null on a pre-2025 address, which names its old commune and district instead. */
  @Column({ name: 'permanent_commune_code', type: 'char', length: 5, nullable: true }) permanentCommuneCode!: string | null;
  @Column({ name: 'permanent_legacy_commune', type: 'text', nullable: true }) permanentLegacyCommune!: string | null;
  @Column({ name: 'permanent_legacy_district', type: 'text', nullable: true }) permanentLegacyDistrict!: string | null;
  @Column({ name: 'permanent_province_code', type: 'char', length: 2 }) permanentProvinceCode!: string;
  @Column({ name: 'temporary_detail', type: 'text', nullable: true }) temporaryDetail!: string | null;
  @Column({ name: 'temporary_commune_code', type: 'char', length: 5, nullable: true }) temporaryCommuneCode!: string | null;
  @Column({ name: 'temporary_legacy_commune', type: 'text', nullable: true }) temporaryLegacyCommune!: string | null;
  @Column({ name: 'temporary_legacy_district', type: 'text', nullable: true }) temporaryLegacyDistrict!: string | null;
  @Column({ name: 'temporary_province_code', type: 'char', length: 2, nullable: true }) temporaryProvinceCode!: string | null;
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
