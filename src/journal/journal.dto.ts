import { z } from 'zod';
import { DOSSIER_ID_PATTERN, DOSSIER_ID_RULE } from '../access/call-purpose.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { blankIsAbsent, isoDateTimeSchema } from '../common/validation.js';
import { JOURNAL_OUTCOMES } from './call-outcome.js';

export const MAX_JOURNAL_PAGE = 200;
const DEFAULT_JOURNAL_PAGE = 50;

const OPERATIONS = ['lookup', 'verify', 'verify_batch_item', 'household', 'changes'] as const;

/** A page position: the (received_at, call_id) of the last call of the previous page, as an opaque token. */
export interface JournalCursor {
  receivedAt: string;
  callId: string;
}

export function encodeCursor(cursor: JournalCursor): string {
  return Buffer.from(`${cursor.receivedAt}|${cursor.callId}`).toString('base64url');
}

function decodeCursor(token: string): JournalCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return null;
  const [receivedAt, callId, extra] = Buffer.from(token, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !receivedAt || !callId) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(receivedAt) || Number.isNaN(Date.parse(receivedAt))) return null;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(callId)) return null;
  return { receivedAt, callId };
}

const isoDateTime = isoDateTimeSchema('must be an ISO 8601 date-time with a time zone, such as 2026-11-28T00:00:00+07:00');

/** The query of GET /journal/v1/calls. Every filter is optional; an empty parameter counts as absent. */
export const journalQuerySchema = z
  .strictObject({
    serviceCode: blankIsAbsent(serviceCodeSchema.optional()),
    consumerId: blankIsAbsent(z.guid({ message: 'must be a UUID' }).optional()).describe('The admin key may ask for any consumer; a consumer key always sees its own calls only'),
    operation: blankIsAbsent(z.enum(OPERATIONS).optional()),
    outcome: blankIsAbsent(z.enum(JOURNAL_OUTCOMES).optional()),
    faultKind: blankIsAbsent(z.string().regex(/^[a-z_]{1,32}$/, { message: 'must be a fault kind (GET /sandbox/fault-kinds)' }).optional()),
    dossierId: blankIsAbsent(z.string().regex(DOSSIER_ID_PATTERN, { message: DOSSIER_ID_RULE }).optional()),
    personaKey: blankIsAbsent(z.string().regex(/^[a-z0-9-]{1,64}$/, { message: 'must be a persona key (GET /sandbox/personas)' }).optional()),
    requestId: blankIsAbsent(z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be a request id as X-Request-Id carries it' }).optional()),
    from: blankIsAbsent(isoDateTime.optional()),
    to: blankIsAbsent(isoDateTime.optional()),
    cursor: blankIsAbsent(
      z
        .string()
        .transform((token, context) => {
          const cursor = decodeCursor(token);
          if (!cursor) {
            context.addIssue({ code: 'custom', message: 'must be a nextCursor returned by this endpoint', params: { rule: 'format' } });
            return z.NEVER;
          }
          return cursor;
        })
        .optional(),
    ),
    limit: blankIsAbsent(z.coerce.number().int().min(1).max(MAX_JOURNAL_PAGE).default(DEFAULT_JOURNAL_PAGE)),
  })
  .superRefine((query, context) => {
    if (typeof query.from === 'string' && typeof query.to === 'string' && Date.parse(query.from) > Date.parse(query.to)) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from', params: { rule: 'range' } });
    }
  });
export type JournalQuery = z.output<typeof journalQuerySchema>;

/** One call as the journal shows it. */
export const journalCallSchema = z.object({
  callId: z.string().describe('Server-made UUIDv7; also sent as the `X-Call-Id` header of the answer'),
  receivedAt: z.string().describe('When the call was received (ISO 8601, UTC)'),
  requestId: z.string().describe("The client's X-Request-Id (or a generated one): a retry repeats it"),
  transport: z.enum(['http', 'in_process']),
  consumerId: z.string().nullable().describe('Null when the caller could not be identified'),
  serviceCode: z.string().nullable(),
  operation: z.enum(OPERATIONS),
  dossierId: z.string().nullable(),
  jobId: z.string().nullable().describe('For calls made by jobs'),
  attempt: z.number().int().nullable().describe("For calls made by jobs: the job's attempt number"),
  outcome: z.enum(JOURNAL_OUTCOMES),
  httpStatus: z.number().int().nullable().describe('The status answered (for in-process calls, the equivalent status); null when nothing was answered (a simulated timeout or reset)'),
  problemCode: z.string().nullable(),
  faultKind: z.string().nullable().describe('The simulated fault the call met, apart from real failures'),
  latencyMs: z.number().describe('From receipt until the row was handed to its commit, in milliseconds (the commit itself, shared with concurrent calls, is in popgate_registry_call_duration_seconds)'),
  fieldsRequested: z.array(z.string()),
  fieldsReturned: z.array(z.string()),
  batch: z.object({ ok: z.number().int(), mismatch: z.number().int(), notFound: z.number().int(), invalid: z.number().int(), refused: z.number().int() }).nullable().describe('A verify-batch: its items by result (refused: no consent for that citizen)'),
  personaKey: z.string().nullable().describe('When the citizen asked about is a test persona'),
  fingerprint: z.string().describe('Hash of consumer, operation and the normalised request: equal for repeats of one request'),
  retryAfterSeconds: z.number().int().nullable().describe('The Retry-After the call was answered with (429, 503), in seconds; null when none (and for calls journaled before it was recorded)'),
});
export type JournalCallView = z.output<typeof journalCallSchema>;

export const journalPageSchema = z.object({
  calls: z.array(journalCallSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
});

/** The CSV export's columns, in order: every field of a call. */
export const JOURNAL_CSV_COLUMNS = Object.keys(journalCallSchema.shape) as (keyof JournalCallView)[];
