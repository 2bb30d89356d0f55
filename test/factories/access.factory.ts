import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { ADMIN_AUTH } from '../utils/test-app.js';

/** A consumer made for a test, with the `Authorization` header of its own key. */
export interface TestConsumer {
  consumerId: string;
  name: string;
  auth: { authorization: string };
}

export interface TestConsumerOptions {
  name?: string;
  kind?: 'state' | 'non_state';
  serviceCodes?: string[];
  rateLimitPerSecond?: number;
  dailyQuota?: number;
}

/** Creates a consumer through POST /access/v1/consumers (as an operator would); unique name per call. */
export async function createTestConsumer(app: NestFastifyApplication, options: TestConsumerOptions = {}): Promise<TestConsumer> {
  const body = { name: `e2e consumer ${randomUUID().slice(0, 8)}`, kind: 'state', serviceCodes: ['2.001159'], ...options };
  const response = await request(app.getHttpServer()).post('/access/v1/consumers').set(ADMIN_AUTH).send(body);
  if (response.status !== 201) throw new Error(`POST /access/v1/consumers answered ${response.status}: ${JSON.stringify(response.body)}`);
  return { consumerId: response.body.consumer.consumerId, name: body.name, auth: { authorization: `Bearer ${response.body.apiKey}` } };
}
