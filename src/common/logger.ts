import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
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

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskIdNumbersIn(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskIdNumbersIn(value.message), stack: value.stack && maskIdNumbersIn(value.stack) };
  }
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  // Requests, replies and other class instances are left to their serializers, which mask what they print.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) masked[key] = maskDeep(item, depth + 1);
  return masked;
}

/**
 * The process's pino logger: JSON lines on stdout. Every message and every logged object passes through the ID
 * masker, so a careless `log.info({ body })` cannot leak a number.
 */
export function createLogger(level: string): Logger {
  // Asynchronous writes: lines logged while a write is in flight go out together in the next one, so under load
  // there are far fewer write(2) calls than lines. No minimum length, so nothing waits in the buffer when idle.
  const destination = pino.destination({ dest: 1, sync: false });
  return pino({
    level,
    base: { service: 'popgate' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      req: (request: { id?: string; method?: string; url?: string }) => ({
        id: request.id === undefined ? undefined : maskIdNumbersIn(String(request.id)),
        method: request.method,
        url: maskIdNumbersIn(String(request.url ?? '')),
      }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
    formatters: {
      log: (object) => maskDeep(object) as Record<string, unknown>,
      bindings: (bindings) => maskDeep(bindings) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskIdNumbersIn(arg) : arg)) as Parameters<typeof method>);
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
