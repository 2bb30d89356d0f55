import { z } from 'zod';
import { ValidationFailedError, type FieldError } from './domain-error.js';

/** zod issue codes renamed to the rule names our problem documents promise (documented in the README). */
const RULE_BY_ZOD_CODE: Record<string, string> = {
  invalid_type: 'type',
  too_big: 'max',
  too_small: 'min',
  invalid_format: 'format',
  invalid_value: 'enum',
  unrecognized_keys: 'unknown_property',
  invalid_union: 'type',
  not_multiple_of: 'multiple_of',
  custom: 'invalid',
};

function fieldPath(prefix: string, path: PropertyKey[]): string {
  const parts = [prefix, ...path.map(String)].filter((part) => part !== '');
  return parts.length > 0 ? parts.join('.') : '(body)';
}

/** The value at `path` inside `input`, or undefined when any step is missing. */
function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Maps zod issues to field errors. A custom refinement may name its own rule with `params: { rule }`. `input` tells
 * a missing field (`required`) from one of the wrong type (`type`): zod 4 issues do not carry the input.
 */
export function fieldErrorsOf(error: z.ZodError, prefix = '', input?: unknown): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ field: fieldPath(prefix, [...issue.path, key]), rule: 'unknown_property', message: 'is not a known property' });
      }
      continue;
    }
    const customRule = issue.code === 'custom' ? (issue.params as { rule?: string } | undefined)?.rule : undefined;
    // zod 4 reports a missing enum member as invalid_value, a missing anything else as invalid_type.
    const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && valueAt(input, issue.path) === undefined;
    const rule = customRule ?? (missing ? 'required' : RULE_BY_ZOD_CODE[issue.code] ?? issue.code);
    errors.push({ field: fieldPath(prefix, issue.path), rule, message: rule === 'required' ? 'is required' : issue.message });
  }
  return errors;
}

/**
 * Validates untrusted input against a schema; on failure throws ValidationFailedError listing every broken rule.
 * `prefix` places the fields in the request (`query`, `items.3`); body fields have none.
 */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, prefix = ''): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrorsOf(result.error, prefix, input);
  throw new ValidationFailedError(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
}

/**
 * JSON Schema (OpenAPI 3.0 dialect) of a zod schema, for @nestjs/swagger decorators: one source for both. `input`
 * describes what a request may send (defaults make a property optional; a refinement or transform the dialect cannot
 * express is left out); `output` describes an answer, and refuses anything it cannot express rather than document
 * an untyped value.
 */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: io === 'input' ? 'any' : 'throw',
    // zod bounds every int by the safe-integer range; said on every integer, that is noise.
    override: ({ jsonSchema }) => {
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/**
 * Rejects strings that no field of ours accepts: NUL and other C0 control characters (Postgres refuses NUL in text,
 * which would otherwise surface as a 500).
 */
export const safeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value), {
      message: 'must not contain control characters',
      params: { rule: 'control_characters' },
    })
    // A lone surrogate (\ud800 in JSON) is no character: PostgreSQL refuses it in text and json (a 500 otherwise).
    .refine((value) => value.isWellFormed(), { message: 'must be well-formed Unicode (no lone surrogate)', params: { rule: 'invalid_unicode' } });

/**
 * The earliest date any input may name. ISO 8601 allows year 0000, which JavaScript parses and PostgreSQL refuses
 * (a 500 otherwise); nothing in the sandbox happened before 1900, so earlier dates are refused as out of range.
 */
export const EARLIEST_DATE = '1900-01-01';

/** A calendar date `YYYY-MM-DD`, not before EARLIEST_DATE. */
export const isoDateSchema = (message = 'must be a date YYYY-MM-DD') =>
  z.iso
    .date({ message })
    // Zod runs this check after a failed format check too: a malformed value is left to the format's message.
    .refine((value) => !/^\d{4}-/.test(value) || value >= EARLIEST_DATE, { message: `must not be before ${EARLIEST_DATE}`, params: { rule: 'min_date' } });

/** A date-time with a time zone, not before EARLIEST_DATE. */
export const isoDateTimeSchema = (message: string) =>
  z.iso
    .datetime({ offset: true, message })
    .refine((value) => !(Date.parse(value) < Date.parse(`${EARLIEST_DATE}T00:00:00Z`)), { message: `must not be before ${EARLIEST_DATE}`, params: { rule: 'min_date' } });

/** An empty query parameter (`?cursor=`) means the parameter is absent, as HTML forms and URL templates send it. */
export const blankIsAbsent = <Schema extends z.ZodType>(schema: Schema) => z.preprocess((value) => (value === '' ? undefined : value), schema);
