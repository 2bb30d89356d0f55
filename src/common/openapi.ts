import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';

/** OpenAPI schema object as @nestjs/swagger types it (its interfaces are not exported from the package root). */
type SchemaObject = Record<string, any>;
import type { z } from 'zod';
import { openApiSchema } from './validation.js';

/** RFC 9457 problem document schema, shared by every error response in the OpenAPI document. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', example: 'urn:popgate:problem:validation_failed' },
    title: { type: 'string', example: 'The request is not valid' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'idNumber: must have 12 digits, has 11 characters' },
    code: { type: 'string', example: 'validation_failed' },
    instance: { type: 'string', example: '/registry/v1/citizens/00109901234' },
    requestId: { type: 'string', example: '2b1f0c8e-5d0c-4a43-9a8e-0f6f7c0d9b11' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'rule', 'message'],
        properties: {
          field: { type: 'string', example: 'idNumber' },
          rule: { type: 'string', example: 'length' },
          message: { type: 'string', example: 'must have 12 digits, has 11 characters' },
        },
      },
    },
  },
};

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `errors` names each field and rule',
  401: 'Missing or invalid credentials',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Too large',
  415: 'Unsupported media type',
  429: 'Rate limited',
  503: 'A backing service is unavailable',
};

/** Documents the problem+json answers an endpoint can give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
      }),
    ),
  );
}

/** A JSON request body documented from its zod schema, with a worked example. */
export function ApiZodBody(schema: z.ZodType, example: unknown, description?: string) {
  return ApiBody({ schema: { ...openApiSchema(schema), example } as SchemaObject, description });
}

/** A JSON response documented from its zod schema (or a hand-written JSON schema), with a worked example. */
export function ApiJsonResponse(status: number, description: string, schema: z.ZodType | Record<string, unknown>, example: unknown) {
  const jsonSchema = typeof (schema as z.ZodType).safeParse === 'function' ? openApiSchema(schema as z.ZodType) : (schema as Record<string, unknown>);
  return ApiResponse({ status, description, content: { 'application/json': { schema: jsonSchema as SchemaObject, example } } });
}
