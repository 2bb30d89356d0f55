import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import request from 'supertest';
import ts from 'typescript';
import { createTestApp } from '../utils/test-app.js';

/** The integrator's program: every operation, read the way a typed client reads it (see the file's header). */
const PROGRAM = fileURLToPath(new URL('./openapi-client.program.mts', import.meta.url));

/** As strict as an integrator's project may be: each flag turns a vague type into a compile error. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  noPropertyAccessFromIndexSignature: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
};

const SUCCESS = /^2\d\d$/;

/** `METHOD path status media-type` of every success answer the document declares (media type `-` for none). */
function documentedAnswers(document: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) =>
      Object.entries(operation.responses)
        .filter(([status]) => SUCCESS.test(status))
        .flatMap(([status, answer]) => Object.keys(answer.content ?? { '-': null }).map((media) => `${method.toUpperCase()} ${path} ${status} ${media}`)),
    ),
  );
}

/** The same for the `call(method, path, request, status, mediaType)` expressions of the program. */
function answersTheProgramReads(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'call') {
      const [method, path, , status, media] = node.arguments;
      if (!ts.isStringLiteral(method) || !ts.isStringLiteral(path) || !ts.isNumericLiteral(status)) throw new Error(`call() needs literal method, path and status: ${node.getText(source)}`);
      const mediaType = media && ts.isStringLiteral(media) ? media.text : '-';
      found.push(`${method.text.toUpperCase()} ${path.text} ${status.text} ${mediaType}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * What an integrator does with the served document: generate TypeScript types with openapi-typescript, write a
 * client against them, compile it strictly. A bare `type: object`, `additionalProperties: true`, a missing
 * `required` or an undeclared parameter or header shows up here as a compile error in the integrator's code.
 */
describe('a client generated from the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let document: Parameters<typeof documentedAnswers>[0];
  let folder: string;

  beforeAll(async () => {
    app = await createTestApp();
    document = (await request(app.getHttpServer()).get('/docs/openapi.json').expect(200)).body;
    folder = mkdtempSync(join(tmpdir(), 'popgate-openapi-client-'));
  });

  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await app.close();
  });

  it('type-checks, strictly, a program that calls every operation and reads every field it answers', async () => {
    writeFileSync(join(folder, 'popgate-api.ts'), astToString(await openapiTS(document as unknown as OpenAPI3)));
    copyFileSync(PROGRAM, join(folder, 'client.mts'));
    const program = ts.createProgram([join(folder, 'client.mts')], COMPILER_OPTIONS);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
      const file = diagnostic.file ? `${diagnostic.file.fileName.replace(folder, '')}:${(where?.line ?? 0) + 1}` : '';
      return `${file} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  });

  it('has the program use every operation, with each of its success statuses and content types', () => {
    const source = ts.createSourceFile(PROGRAM, readFileSync(PROGRAM, 'utf8'), ts.ScriptTarget.ES2022, true);
    const read = new Set(answersTheProgramReads(source));
    const unread = documentedAnswers(document).filter((answer) => !read.has(answer));
    expect(unread).toEqual([]);
  });
});
