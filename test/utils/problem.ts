import { expect } from '@jest/globals';
import type request from 'supertest';

/** Asserts an RFC 9457 answer: the status, the stable code, its problem type, and the problem+json content type. */
export function expectProblem(response: request.Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code, type: `urn:popgate:problem:${code}` });
}
