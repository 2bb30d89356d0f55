import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { maskIdNumber, validateIdNumber } from '../identity/id-number.js';

/** Runs of 12 digits or more: a personal ID number, wherever it appears (URL, message, error), maybe among others. */
const DIGIT_RUN = /\d{12,}/g;

/** A percent-encoded digit (`%30`-`%39`): the router decodes these, so `00109099992%31` is served as an ID number. */
const ENCODED_DIGIT = /%3([0-9])/gi;

/**
 * Replaces every personal ID number with its mask (`001*******42`): they never reach a log in clear. Percent-encoded
 * digits are decoded first, so that a number written partly encoded in a URL is masked too.
 */
export function maskIdNumbersIn(text: string): string {
  const digitsDecoded = text.includes('%') ? text.replace(ENCODED_DIGIT, '$1') : text;
  return digitsDecoded.replace(DIGIT_RUN, maskDigitRun);
}

/**
 * A run of exactly 12 digits is masked whole. A longer run may hold an ID number beside other digits (an encoded
 * digit next to it, say): each 12-digit window of it that is a valid ID number is masked, the other digits kept.
 */
function maskDigitRun(run: string): string {
  if (run.length === 12) return maskIdNumber(run);
  let masked = '';
  let index = 0;
  while (index <= run.length - 12) {
    const window = run.slice(index, index + 12);
    if (validateIdNumber(window).length === 0) {
      masked += maskIdNumber(window);
      index += 12;
    } else {
      masked += run[index];
      index += 1;
    }
  }
  return masked + run.slice(index);
}

/** What replaces a credential in a log line. */
export const REDACTED = '[REDACTED]';

/**
 * Names of query parameters (and logged object keys) that carry a credential: `access_token`, `api_key`, `apikey`,
 * `key`, `token`, `client_secret`, `password`, `X-Sandbox-Session`... matched anywhere in the name, case aside. A
 * harmless parameter that happens to match (`monkey`) loses its value in the log only; popgate's own parameters
 * (fields, since, limit, cursor, idNumber...) do not match.
 */
const CREDENTIAL_NAME = /token|key|secret|passw|pwd|auth|credential|session|signature|^sig$|cookie/i;

/** A query parameter: separator, name, value (up to the next separator, fragment or whitespace). */
const QUERY_PARAMETER = /([?&;])([^=&;#\s"]+)=([^&;#\s"]*)/g;

/**
 * A popgate API key (`pgk_` + 43 base64url characters, see src/access/api-key.ts), also with its underscore
 * percent-encoded, or cut short: 20 key characters are already a usable part of a secret.
 */
const POPGATE_KEY = /pgk(?:_|%5f)[\w-]{20,}/gi;

/** Whether `text` holds something shaped like a popgate API key (request ids such as this are refused). */
export function containsPopgateKey(text: string): boolean {
  POPGATE_KEY.lastIndex = 0;
  return POPGATE_KEY.test(text);
}

function isCredentialName(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A name that is not valid percent-encoding is matched as written.
  }
  return CREDENTIAL_NAME.test(decoded);
}

/**
 * Replaces credentials in a URL or message with `[REDACTED]`: the value of every credential-named query parameter
 * (a client that puts its key in the query string is refused, but its URL is still logged) and every value shaped
 * like a popgate key, wherever it sits (a path segment, another parameter, an error message).
 */
export function redactCredentialsIn(text: string): string {
  let redacted = text;
  if (redacted.includes('=')) {
    redacted = redacted.replace(QUERY_PARAMETER, (whole, separator: string, name: string) =>
      isCredentialName(name) ? `${separator}${name}=${REDACTED}` : whole,
    );
  }
  return redacted.includes('pgk') || redacted.includes('PGK') ? redacted.replace(POPGATE_KEY, `pgk_${REDACTED}`) : redacted;
}

/**
 * What every logged string goes through: credentials redacted (the configured `secrets` wherever they appear, then
 * the shapes above), then ID numbers masked. Credentials come first, since masking a digit run inside a key would
 * leave the rest of the key in clear.
 */
function logScrubber(secrets: readonly string[]): (text: string) => string {
  const literal = secrets.filter((secret) => secret.length >= 8);
  return (text) => {
    let scrubbed = text;
    for (const secret of literal) if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join(REDACTED);
    return maskIdNumbersIn(redactCredentialsIn(scrubbed));
  };
}

function scrubDeep(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // Only name, message and stack: other properties of an error can hold a request (Node's parser errors keep the
    // raw request bytes, Authorization header included, in `rawPacket`).
    return { type: value.name, message: scrub(value.message), stack: value.stack && scrub(value.stack) };
  }
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, scrub, depth + 1));
  // Requests, replies and other class instances are left to their serializers, which scrub what they print.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const scrubbed: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    scrubbed[key] = isCredentialName(key) && item !== undefined && item !== null ? REDACTED : scrubDeep(item, scrub, depth + 1);
  }
  return scrubbed;
}

/** JSON lines (for machines: pipes, files, containers, log shippers) or readable lines (for a person at a terminal). */
export type LogFormat = 'json' | 'pretty';

/**
 * The format of the process's logs, as the ecosystem chooses it: readable lines when stdout is a terminal, JSON
 * lines otherwise; always JSON under tests, whose logs are read by machines (and by the tests themselves).
 */
export function logFormatFor(stdout: { isTTY?: boolean }, nodeEnv: string): LogFormat {
  return stdout.isTTY === true && nodeEnv !== 'test' ? 'pretty' : 'json';
}

/**
 * pino-pretty, in process: a terminal's volume of lines does not need a worker thread, and synchronous writes keep
 * the last lines before an exit. It formats the JSON pino produced, after the masking and redaction, so it prints
 * nothing the JSON would not. One line per entry: an access-log line reads `GET /url 200 request completed`.
 */
function prettyDestination(destination: DestinationStream | number, colorize: boolean | undefined): DestinationStream {
  return pinoPretty({
    destination,
    sync: true,
    // Left out unless chosen: pino-pretty's default follows the terminal (and NO_COLOR).
    ...(colorize === undefined ? {} : { colorize }),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'service,req,res,context,responseTime',
    messageFormat: prettyMessage,
  });
}

/** `[Context] GET /url 200 4.4 ms message`: Nest's context and the access-log fields up front, as a person reads them. */
function prettyMessage(entry: Record<string, unknown>, messageKey: string): string {
  const context = typeof entry.context === 'string' ? `[${entry.context}] ` : '';
  const request = entry.req as { method?: string; url?: string } | undefined;
  const reply = entry.res as { statusCode?: number } | undefined;
  const time = typeof entry.responseTime === 'number' ? ` ${entry.responseTime.toFixed(1)} ms` : '';
  const access = request?.method ? `${request.method} ${request.url} ${reply?.statusCode ?? ''}${time} ` : '';
  return `${context}${access}${String(entry[messageKey] ?? '')}`;
}

/** Options of createLogger. */
export interface LoggerOptions {
  /** JSON lines unless told otherwise (see logFormatFor). */
  format?: LogFormat;
  /** Colours of pretty lines; by default when the terminal supports them (NO_COLOR turns them off). */
  colorize?: boolean;
  /** Where the lines go; stdout when left out. Tests pass a stream to read what a real app logs. */
  destination?: DestinationStream;
  /**
   * Configured keys (ADMIN_API_KEY, SANDBOX_DEVELOPER_KEY), redacted wherever they appear: they may have any shape,
   * so only their value identifies them. Generated keys are popgate-shaped and need no listing.
   */
  secrets?: readonly (string | undefined)[];
}

/**
 * The process's pino logger: JSON lines on stdout, or readable ones (`format: 'pretty'`). Every message and every logged object passes through the
 * credential redactor and the ID masker, so a careless `log.info({ body })` cannot leak a key or a number. Requests
 * are logged as id, method and URL only: headers (Authorization among them) never reach a line.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const scrub = logScrubber((options.secrets ?? []).filter((secret): secret is string => typeof secret === 'string'));
  // Asynchronous writes: lines logged while a write is in flight go out together in the next one, so under load
  // there are far fewer write(2) calls than lines. No minimum length, so nothing waits in the buffer when idle.
  const destination =
    options.format === 'pretty'
      ? prettyDestination(options.destination ?? 1, options.colorize)
      : (options.destination ?? pino.destination({ dest: 1, sync: false }));
  return pino({
    level,
    base: { service: 'popgate' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      req: (request: { id?: string; method?: string; url?: string }) => ({
        id: request.id === undefined ? undefined : scrub(String(request.id)),
        method: request.method,
        url: scrub(String(request.url ?? '')),
      }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
    formatters: {
      log: (object) => scrubDeep(object, scrub) as Record<string, unknown>,
      bindings: (bindings) => scrubDeep(bindings, scrub) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as Parameters<typeof method>);
      },
    },
  }, destination);
}

/** Nest's own logs (module init, route map) through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
