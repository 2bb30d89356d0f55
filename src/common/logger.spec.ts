import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger, logFormatFor, maskIdNumbersIn, redactCredentialsIn, type LoggerOptions } from './logger.js';

describe('maskIdNumbersIn', () => {
  it('masks every 12-digit run but the province prefix and the last two digits', () => {
    expect(maskIdNumbersIn('/registry/v1/citizens/001090999921?fields=fullName')).toBe('/registry/v1/citizens/001*******21?fields=fullName');
    expect(maskIdNumbersIn('a 001090999921 and 036090999922.')).toBe('a 001*******21 and 036*******22.');
  });

  it('masks a number written with percent-encoded digits, which the router decodes into the same number', () => {
    expect(maskIdNumbersIn('/registry/v1/citizens/00109099992%31')).toBe('/registry/v1/citizens/001*******21');
    expect(maskIdNumbersIn('/sandbox/consents?idNumber=%30%30%3109099992%31')).toBe('/sandbox/consents?idNumber=001*******21');
    expect(maskIdNumbersIn('/registry/v1/citizens?q=%3')).toBe('/registry/v1/citizens?q=%3');
  });

  it('masks an ID number that sits in a longer run of digits, as an encoded digit beside it makes', () => {
    expect(maskIdNumbersIn('/registry/v1/citizens/001090999921%31')).toBe('/registry/v1/citizens/001*******211');
    expect(maskIdNumbersIn('?idNumber=%30001090999921')).toBe('?idNumber=0001*******21');
    expect(maskIdNumbersIn('a 001090999921036090999922 b')).toBe('a 001*******21036*******22 b');
  });

  it('leaves shorter and longer digit runs alone (dates, phone numbers, cursors)', () => {
    expect(maskIdNumbersIn('cursor 42, phone 0912345678, 1234567890123')).toBe('cursor 42, phone 0912345678, 1234567890123');
  });
});

describe('redactCredentialsIn', () => {
  const key = 'pgk_ZykSElD01KjoPLWhzrsrRffhdRaINFptL0HYD1L8bho';

  it('redacts the value of every credential-named query parameter, case aside, and keeps the others', () => {
    expect(redactCredentialsIn('/x?access_token=abc&fields=fullName')).toBe('/x?access_token=[REDACTED]&fields=fullName');
    expect(redactCredentialsIn('/x?fields=a&API_KEY=abc;Token=def&apiKey=g&key=h&x-api-key=i&client_secret=j&password=k')).toBe(
      '/x?fields=a&API_KEY=[REDACTED];Token=[REDACTED]&apiKey=[REDACTED]&key=[REDACTED]&x-api-key=[REDACTED]&client_secret=[REDACTED]&password=[REDACTED]',
    );
    expect(redactCredentialsIn('/x?access%5Ftoken=abc')).toBe('/x?access%5Ftoken=[REDACTED]');
    expect(redactCredentialsIn('/x?since=10&limit=50&cursor=abc&idNumber=001090999921')).toBe('/x?since=10&limit=50&cursor=abc&idNumber=001090999921');
  });

  it('redacts a popgate key wherever it is, also percent-encoded or cut short', () => {
    expect(redactCredentialsIn(`/registry/v1/citizens/${key}`)).toBe('/registry/v1/citizens/pgk_[REDACTED]');
    expect(redactCredentialsIn(`'/x/${key.replace('_', '%5F')}' is not a valid url component`)).toBe("'/x/pgk_[REDACTED]' is not a valid url component");
    expect(redactCredentialsIn(`bearer ${key.slice(0, 30)}`)).toBe('bearer pgk_[REDACTED]');
    expect(redactCredentialsIn('pgk_short')).toBe('pgk_short');
  });
});

describe('createLogger', () => {
  /** A logger writing into an array, as the real one writes to stdout. */
  function capturingLogger(options: Omit<LoggerOptions, 'destination'> = {}): { logger: Logger; lines: () => string[] } {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    return { logger: createLogger('info', { ...options, destination }), lines: () => chunks.join('').split('\n').filter(Boolean) };
  }

  it('redacts the configured keys wherever they appear, whatever their shape', () => {
    const { logger, lines } = capturingLogger({ secrets: ['operator-chosen-admin-key-123456', undefined] });
    logger.info({ url: '/registry/v1/citizens/operator-chosen-admin-key-123456' }, 'sent operator-chosen-admin-key-123456 as a path');
    expect(lines().join('\n')).not.toContain('operator-chosen-admin-key-123456');
    expect(JSON.parse(lines()[0])).toMatchObject({ url: '/registry/v1/citizens/[REDACTED]', msg: 'sent [REDACTED] as a path' });
  });

  it('never logs an Authorization header or a cookie, nor the raw request bytes an HTTP parser error keeps', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ headers: { authorization: 'Bearer operator-key-0000000000000', cookie: 'session=abc', accept: 'application/json' } }, 'headers');
    const parserError = Object.assign(new Error('Parse Error: Invalid header value char'), { rawPacket: 'GET / HTTP/1.1\r\nAuthorization: Bearer operator-key-0000000000000' });
    logger.error({ err: parserError }, 'client error');
    expect(lines().join('\n')).not.toContain('operator-key-0000000000000');
    expect(JSON.parse(lines()[0]).headers).toEqual({ authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'application/json' });
    expect(JSON.parse(lines()[1]).err).toMatchObject({ message: 'Parse Error: Invalid header value char' });
    expect(JSON.parse(lines()[1]).err.rawPacket).toBeUndefined();
  });
});

describe('log format', () => {
  it('is pretty for a person at a terminal, JSON for pipes, files and containers, and always JSON under tests', () => {
    expect(logFormatFor({ isTTY: true }, 'development')).toBe('pretty');
    expect(logFormatFor({ isTTY: true }, 'production')).toBe('pretty');
    expect(logFormatFor({ isTTY: true }, 'test')).toBe('json');
    expect(logFormatFor({ isTTY: false }, 'development')).toBe('json');
    expect(logFormatFor({}, 'production')).toBe('json');
  });

  it('pretty lines are readable text, one per entry, with ID numbers masked and keys redacted as in JSON', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger('info', { format: 'pretty', destination, colorize: false, secrets: ['operator-chosen-admin-key-123456'] });
    logger.info({ req: { id: 'r-1', method: 'GET', url: '/registry/v1/citizens/001090999921?access_token=operator-chosen-admin-key-123456' }, res: { statusCode: 401 } }, 'request completed');
    logger.warn('citizen 036090999922 not found');
    const lines = chunks.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(() => JSON.parse(lines[0])).toThrow();
    expect(lines[0]).toMatch(/INFO.*GET \/registry\/v1\/citizens\/001\*{7}21\?access_token=\[REDACTED\] 401 request completed/);
    expect(lines[1]).toMatch(/WARN.*citizen 036\*{7}22 not found/);
    expect(chunks.join('')).not.toMatch(/001090999921|036090999922|operator-chosen-admin-key/);
  });
});
