import { z } from 'zod';
import { parseRequestedDate } from './birth-date.js';
import { validateIdNumber } from './id-number.js';

/** Longest input we look at for an ID number: enough to report a wrong length, short enough to bound the work. */
const MAX_ID_INPUT = 64;

/** A personal ID number: every broken rule of `validateIdNumber` becomes its own field error. */
export const idNumberSchema = z
  .string()
  .max(MAX_ID_INPUT)
  .superRefine((value, context) => {
    for (const violation of validateIdNumber(value)) {
      context.addIssue({ code: 'custom', message: violation.message, params: { rule: violation.rule } });
    }
  });

/** A date of birth as callers send it: `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or the chip card QR's `DDMMYYYY`. */
export const requestedBirthDateSchema = z
  .string()
  .max(10)
  .superRefine((value, context) => {
    const parsed = parseRequestedDate(value);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.message, params: { rule: 'date_format' } });
  });
