import { z } from 'zod';
import { REGISTRY_FIELD_BY_NAME, REGISTRY_FIELDS, type RegistryField } from '../catalog/registry-fields.js';
import { ReferenceData } from '../reference/reference-data.js';
import { RELATIONSHIP_LABELS, type HouseholdRelationship } from './citizen.js';
import {
  idCardOf,
  PERMANENT_ADDRESS_COLUMNS,
  permanentAddressOf,
  TEMPORARY_ADDRESS_COLUMNS,
  temporaryAddressOf,
  CITIZEN_COLUMNS,
  type CitizenColumn,
  type CitizenRow,
} from './citizen-row.js';
import type { ChildReference } from './registry.repository.js';
import {
  addressSchema,
  childSchema,
  citizenStatusSchema,
  householdRelationshipSchema,
  idCardSchema,
  maritalStatusSchema,
  relativeSchema,
  sexSchema,
} from './registry.dto.js';

/** What a projection reads: the columns it declared, plus children when the caller asked for them (extra query). */
export interface ProjectionSource {
  row: Partial<CitizenRow>;
  children?: ChildReference[];
}

/**
 * One field a caller may request. Names are English and shared by look-up, verify and (later) the services'
 * allow-lists; `vietnamese` is the term of the Law on Identification 2023, art. 9, whose item number is `lawItem`.
 * Each field names the columns it reads, so a look-up fetches only those: on a 2-core machine the width of the row
 * read is a large part of a look-up's cost (docs/BENCHMARKS.md).
 */
export interface CitizenFieldDefinition extends RegistryField {
  columns: readonly CitizenColumn[];
  /** The value as a look-up answers it: the OpenAPI document's property, checked against `project` in the spec. */
  schema: z.ZodType;
  project: (source: ProjectionSource) => unknown;
}

function relative(idNumber: string | null | undefined, fullName: string | null | undefined, nationality: string | null | undefined) {
  return fullName == null ? null : { idNumber: idNumber ?? null, fullName, nationality: nationality ?? 'VN' };
}

const reference = () => ReferenceData.get();

/** The catalog's definition of a field name; a name the catalog does not know fails at load. */
function spec(name: string): RegistryField {
  const field = REGISTRY_FIELD_BY_NAME.get(name);
  if (!field) throw new Error(`citizen-fields: ${name} is not in the catalog's REGISTRY_FIELDS`);
  return field;
}

/** A field that is one column, returned as stored (rows type every column as nullable text, so only the spec checks `schema`). */
function column(name: string, column: CitizenColumn, schema: z.ZodType): CitizenFieldDefinition {
  return { ...spec(name), columns: [column], schema, project: ({ row }) => row[column] ?? null };
}

/** A field built from columns; the compiler holds `project` to `schema`. */
function derived<Schema extends z.ZodType>(
  name: string,
  columns: readonly CitizenColumn[],
  schema: Schema,
  project: (source: ProjectionSource) => z.output<Schema>,
): CitizenFieldDefinition {
  return { ...spec(name), columns, schema, project };
}

const text = z.string();
const optionalText = z.string().nullable();
const coded = z.object({ code: z.string(), name: z.string().nullable().describe('Null for a code outside the official list') });

/** Every field of the look-up API, in the order of the law's items. */
export const CITIZEN_FIELDS: readonly CitizenFieldDefinition[] = [
  column('idNumber', 'id_number', text),
  column('fullName', 'full_name', text),
  column('otherNames', 'other_names', optionalText),
  column('dateOfBirth', 'date_of_birth', text),
  column('sex', 'sex', sexSchema),
  column('placeOfBirth', 'place_of_birth', text),
  derived(
    'birthRegistrationPlace',
    ['birth_registration_province_id_code', 'birth_registration_place'],
    z.object({ provinceIdCode: z.string().describe('Pre-2025 province code; it opens the ID number'), place: z.string() }),
    ({ row }) => ({ provinceIdCode: row.birth_registration_province_id_code!, place: row.birth_registration_place! }),
  ),
  column('homeTown', 'home_town', text),
  derived(
    'ethnicity',
    ['ethnicity_code'],
    coded,
    ({ row }) => ({ code: row.ethnicity_code!, name: reference().ethnicity(row.ethnicity_code!)?.name ?? null }),
  ),
  derived(
    'religion',
    ['religion_code'],
    coded,
    ({ row }) => ({ code: row.religion_code!, name: reference().religion(row.religion_code!)?.name ?? null }),
  ),
  column('nationality', 'nationality', text),
  column('bloodGroup', 'blood_group', z.enum(['A', 'B', 'AB', 'O']).nullable()),
  column('oldIdNumber', 'old_id_number', optionalText),
  derived(
    'idCard',
    ['card_issue_date', 'card_expiry_date'],
    idCardSchema.nullable(),
    ({ row }) => idCardOf(row),
  ),
  derived(
    'father',
    ['father_id_number', 'father_name'],
    relativeSchema.nullable(),
    ({ row }) => relative(row.father_id_number, row.father_name, 'VN'),
  ),
  derived(
    'mother',
    ['mother_id_number', 'mother_name'],
    relativeSchema.nullable(),
    ({ row }) => relative(row.mother_id_number, row.mother_name, 'VN'),
  ),
  derived(
    'spouse',
    ['spouse_id_number', 'spouse_name', 'spouse_nationality'],
    relativeSchema.nullable(),
    ({ row }) => relative(row.spouse_id_number, row.spouse_name, row.spouse_nationality),
  ),
  derived(
    'children',
    [],
    z.array(childSchema),
    ({ children }) => children ?? [],
  ),
  derived(
    'permanentAddress',
    PERMANENT_ADDRESS_COLUMNS,
    addressSchema,
    ({ row }) => permanentAddressOf(row),
  ),
  derived(
    'temporaryAddress',
    TEMPORARY_ADDRESS_COLUMNS,
    addressSchema.nullable(),
    ({ row }) => temporaryAddressOf(row),
  ),
  derived(
    'currentAddress',
    [...PERMANENT_ADDRESS_COLUMNS, ...TEMPORARY_ADDRESS_COLUMNS],
    addressSchema,
    ({ row }) => temporaryAddressOf(row) ?? permanentAddressOf(row),
  ),
  column('maritalStatus', 'marital_status', maritalStatusSchema),
  derived(
    'household',
    ['household_id', 'household_relationship'],
    z.object({ householdId: z.string(), relationship: householdRelationshipSchema, relationshipLabel: z.string().describe('Vietnamese label of the relationship') }),
    ({ row }) => ({
      householdId: row.household_id!,
      relationship: row.household_relationship as HouseholdRelationship,
      relationshipLabel: RELATIONSHIP_LABELS[row.household_relationship as HouseholdRelationship],
    }),
  ),
  column('citizenStatus', 'status', citizenStatusSchema),
  column('statusDate', 'status_date', optionalText),
  column('phoneNumber', 'phone_number', optionalText),
  column('email', 'email', optionalText),
];

export const CITIZEN_FIELD_BY_NAME: ReadonlyMap<string, CitizenFieldDefinition> = new Map(CITIZEN_FIELDS.map((f) => [f.name, f]));

/** A look-up's answer: each field is there when it was asked for (or, with no `fields`, when it is not sensitive). */
export const lookupAnswerSchema = z.object(
  Object.fromEntries(CITIZEN_FIELDS.map((field) => [field.name, field.schema.optional().describe(`${field.description} (item ${field.lawItem}${field.sensitive ? '; sensitive' : ''})`)])),
);


/** The columns a set of fields reads, deduplicated, in table order (so equal sets share one prepared statement). */
export function columnsOf(fields: readonly string[]): CitizenColumn[] {
  const wanted = new Set<CitizenColumn>(['id_number']);
  for (const name of fields) for (const c of CITIZEN_FIELD_BY_NAME.get(name)?.columns ?? []) wanted.add(c);
  return CITIZEN_COLUMNS.filter((c) => wanted.has(c));
}

// Every name of the catalog has a projection here, and nothing else does: checked once at load.
if (CITIZEN_FIELDS.length !== REGISTRY_FIELDS.length || REGISTRY_FIELDS.some((f, i) => CITIZEN_FIELDS[i].name !== f.name)) {
  throw new Error('citizen-fields: CITIZEN_FIELDS must define every catalog field, in the catalog order');
}
