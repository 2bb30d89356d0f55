import { describe, expect, it } from '@jest/globals';
import { maskIdNumbersIn } from './logger.js';

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
