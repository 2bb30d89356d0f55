import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * OpenAPI conformance of what the e2e tests receive. Every answer of a test app is recorded (method, route template,
 * status, content type, header names) to a file of this run; after the run, this module's default export (the e2e
 * project's globalTeardown) checks each against the document and fails the run on an answer it does not declare.
 * A globalTeardown that throws fails the run (exit code 1, after the test summary) whatever subset of files ran; a
 * last test file would need a custom sequencer, and would not run when a subset is selected.
 *
 * Jest loads global hooks outside its module system, so this file imports only Node built-ins and types.
 *
 * Answers are recorded twice, and checked alike:
 * - by supertest (test-app.ts patches its Test class, so tests calling supertest directly are covered as well as
 *   those using `api()`): everything a test receives, the route template found by matching the URL against the
 *   document;
 * - by a Fastify onResponse hook that createTestApp installs: the route Fastify matched, so that an answer from a
 *   route the document lacks is reported rather than skipped as an unknown URL. Fastify answers router refusals
 *   (414 uri_too_long, 400 malformed_url) without running hooks, which is why supertest records too.
 */

/** Set by openapi-conformance-setup.ts (which repeats the name) to this run's record file; unset, nothing is recorded. */
export const RECORD_FILE_VARIABLE = 'POPGATE_OPENAPI_RECORD';

/** One answer as recorded. `route` is the OpenAPI path template, or null when no route matched (router refusals). */
export interface RecordedAnswer {
  method: string;
  route: string | null;
  url: string;
  status: number;
  contentType: string | null;
  headers: string[];
}

/** The file holding the document the recorded answers are checked against. */
export const documentFileOf = (recordFile: string): string => `${recordFile}.document.json`;

/** Standard headers that describe the message, not the API; OpenAPI says Content-Type goes in `content`. */
const TRANSPORT_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding']);

/**
 * The documentation routes are not operations of the document they serve; nor are Bull Board's API and files under
 * /ops/board/ (bull-board's own contract, answered for its page; the page itself, /ops/board, is in the document).
 */
const isDocumentation = (url: string): boolean => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?') || url.startsWith('/ops/board/');

/**
 * Records every answer of `app` during this run (a no-op outside Jest's e2e project), and the first app's document
 * (`served`: the one it serves). Call before `app.init()`.
 */
export function recordAnswers(app: NestFastifyApplication, served: () => unknown): void {
  const file = process.env[RECORD_FILE_VARIABLE];
  if (!file) return;
  if (!existsSync(documentFileOf(file))) writeFileSync(documentFileOf(file), JSON.stringify(served()));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      if (!isDocumentation(request.url)) {
        const contentType = reply.getHeader('content-type');
        const answer: RecordedAnswer = {
          method: request.method,
          route: request.routeOptions.url?.replace(/:(\w+)/g, '{$1}') ?? null,
          url: request.url,
          status: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : null,
          headers: Object.keys(reply.getHeaders()),
        };
        appendFileSync(file, JSON.stringify(answer) + '\n');
      }
      done();
    });
}

/**
 * The private method of supertest's Test that every answer goes through, awaited or not (end() calls it with the
 * response before the test's own expectations run). Typed here: supertest's types do not list it.
 */
interface SupertestAssert {
  assert(this: { method: string; url: string }, error: unknown, response: { status: number; headers: Record<string, unknown> } | undefined, callback: unknown): void;
}

/** Records every answer a supertest Test (`request.Test`) receives during this run (a no-op outside Jest's e2e project). */
export function recordSupertestAnswers(Test: { prototype: object }): void {
  const file = process.env[RECORD_FILE_VARIABLE];
  const prototype = Test.prototype as SupertestAssert;
  if (!file || typeof prototype.assert !== 'function') return;
  const assert = prototype.assert;
  prototype.assert = function (error, response, callback) {
    const url = new URL(this.url, 'http://localhost');
    const path = url.pathname + url.search;
    if (response && !isDocumentation(path)) {
      const contentType = response.headers['content-type'];
      const answer: RecordedAnswer = {
        method: this.method.toUpperCase(),
        route: null,
        url: path,
        status: response.status,
        contentType: typeof contentType === 'string' ? contentType : null,
        headers: Object.keys(response.headers),
      };
      appendFileSync(file, JSON.stringify(answer) + '\n');
    }
    return assert.call(this, error, response, callback);
  };
}

interface DocumentedResponse {
  content?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}
interface ConformanceDocument {
  paths: Record<string, Record<string, { responses: Record<string, DocumentedResponse> }>>;
}

/** The document's template for a URL that no route matched (a refusal of the router), the most specific first. */
function templateOf(document: ConformanceDocument, method: string, url: string): string | null {
  const path = url.split('?')[0];
  const candidates = Object.keys(document.paths).filter(
    (template) => document.paths[template][method] && new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
  );
  candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  return candidates[0] ?? null;
}

/**
 * What the recorded answers show that the document does not declare, one line per (operation, status, content type,
 * header). A URL that matches no route and no documented template is not an operation (an unknown path) and is left
 * out. HEAD is checked as the GET it mirrors.
 */
export function undeclaredAnswers(document: ConformanceDocument, answers: readonly RecordedAnswer[]): string[] {
  const problems = new Set<string>();
  for (const answer of answers) {
    // CORS preflights are the browser's protocol, answered by the CORS policy for every route (README, "Calling from
    // a browser"), not operations a client calls: generated clients never send them.
    if (answer.method === 'OPTIONS') continue;
    const method = (answer.method === 'HEAD' ? 'GET' : answer.method).toLowerCase();
    const route = answer.route ?? templateOf(document, method, answer.url);
    if (route === null) continue;
    const operation = `${method.toUpperCase()} ${route}`;
    const example = answer.url.length > 80 ? `${answer.url.slice(0, 77)}...` : answer.url;
    const documented = document.paths[route]?.[method];
    if (!documented) {
      problems.add(`${operation}: not in the document (answered ${answer.status} to ${example})`);
      continue;
    }
    const response = documented.responses[String(answer.status)] ?? documented.responses.default;
    if (!response) {
      problems.add(`${operation}: status ${answer.status} is not declared (e.g. ${example})`);
      continue;
    }
    const media = answer.contentType?.split(';')[0].trim().toLowerCase();
    if (media && !Object.keys(response.content ?? {}).includes(media)) {
      problems.add(`${operation} ${answer.status}: content type ${media} is not declared`);
    }
    const declaredHeaders = new Set(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()));
    for (const header of answer.headers) {
      if (!TRANSPORT_HEADERS.has(header.toLowerCase()) && !declaredHeaders.has(header.toLowerCase())) {
        problems.add(`${operation} ${answer.status}: header ${header} is not declared`);
      }
    }
  }
  return [...problems].sort();
}

/** The e2e project's globalTeardown: every answer the tests received must be declared for its operation. */
export default function checkConformance(): void {
  const file = process.env[RECORD_FILE_VARIABLE];
  if (!file || !existsSync(file)) return;
  const answers = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordedAnswer);
  const problems = undeclaredAnswers(JSON.parse(readFileSync(documentFileOf(file), 'utf8')), answers);
  if (problems.length > 0) {
    throw new Error(
      `OpenAPI conformance: the e2e tests received ${problems.length} answer(s) that /docs/openapi.json does not declare ` +
        `(all answers are in ${file}):\n  ${problems.join('\n  ')}`,
    );
  }
  rmSync(file, { force: true });
  rmSync(documentFileOf(file), { force: true });
}
