import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { AppControllerRoute, AppViewRoute, BullBoardQueues, ControllerHandlerReturnType, IServerAdapter, UIConfig } from '@bull-board/api/typings/app';
import fastifyStatic from '@fastify/static';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminKey } from '../access/admin-key.service.js';
import { hashApiKey } from '../access/api-key.js';
import { offeredKey } from '../access/manager.guard.js';
import { UnauthorizedError } from '../common/domain-error.js';
import { sendProblem } from '../common/problem-details.filter.js';
import { OPS_QUEUES, type OpsQueues } from './queue-operations.service.js';

/** Where the board is served. */
export const BOARD_PATH = '/ops/board';

/** The realm a browser shows in its sign-in prompt. */
export const BOARD_REALM = 'popgate ops';

/**
 * The board's one entry in the OpenAPI document: its page. The board's own API and files are bull-board's, not
 * popgate's contract. A new object each time: completeDocument completes the paths it is given in place.
 */
export const boardOpenApiPaths = () => ({
  [BOARD_PATH]: {
    get: {
      tags: ['operations'],
      summary: 'Bull Board: every queue and its jobs, in the browser (admin key as the Basic password)',
      description:
        'Open it in a browser: it asks for a user name (any) and a password (the admin key). Scripts may send `Authorization: Bearer <admin key>` instead. ' +
        "The page's own API (`/ops/board/api/*`) and files (`/ops/board/static/*`) are bull-board's and are not described here.",
      operationId: 'BullBoard_page',
      security: [{ basic: [] as string[] }, { bearer: [] as string[] }] as Record<string, string[]>[],
      responses: {
        200: { description: "The board's page", content: { 'text/html': { schema: { type: 'string' }, example: '<!DOCTYPE html><html lang="en" dir="ltr">…</html>' } } },
        401: {
          description: 'No admin key: the browser asks for one',
          headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } },
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
  },
});

/** The security scheme of the board's Basic authentication. */
export const BOARD_SECURITY_SCHEME = {
  type: 'http',
  scheme: 'basic',
  description: 'HTTP Basic authentication with any user name and a key as the password: the admin key (ADMIN_API_KEY) for Bull Board at /ops/board; the admin key or MANAGER_API_KEY for the reads of /coverage/v1.',
} as const;

/**
 * A server adapter of @bull-board/api for popgate's Fastify, in place of @bull-board/fastify: that package needs
 * @fastify/static 10, which reaches an ESM-only content-disposition that Jest's VM cannot load (README, "Bull
 * Board"), and popgate's @fastify/static 9 serves the board's files as well. The board's page is bull-board's
 * `index.ejs`, whose only tags are `<%= name %>` (escaped) and `<%- uiConfig %>` (raw, already JSON-escaped by
 * bull-board): filled in here, without a template engine.
 */
class FastifyBoardAdapter implements IServerAdapter {
  private queues: BullBoardQueues | undefined;
  private viewsPath = '';
  private statics = { route: '', path: '' };
  private entryRoute: AppViewRoute | undefined;
  private errorHandler: ((error: Error) => ControllerHandlerReturnType) | undefined;
  private apiRoutes: AppControllerRoute[] = [];
  private uiConfig: UIConfig = {};

  setQueues(queues: BullBoardQueues): this {
    this.queues = queues;
    return this;
  }
  setViewsPath(path: string): this {
    this.viewsPath = path;
    return this;
  }
  setStaticPath(route: string, path: string): this {
    this.statics = { route, path };
    return this;
  }
  setEntryRoute(route: AppViewRoute): this {
    this.entryRoute = route;
    return this;
  }
  setErrorHandler(handler: (error: Error) => ControllerHandlerReturnType): this {
    this.errorHandler = handler;
    return this;
  }
  setApiRoutes(routes: AppControllerRoute[]): this {
    this.apiRoutes = routes;
    return this;
  }
  setUIConfig(config: UIConfig): this {
    this.uiConfig = config;
    return this;
  }

  /** The board's routes, to register under BOARD_PATH, behind `authorize`. */
  plugin(authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<void>) {
    return async (fastify: FastifyInstance): Promise<void> => {
      const { entryRoute, errorHandler, queues } = this;
      if (!entryRoute || !errorHandler || !queues) throw new Error('createBullBoard has not configured the board adapter');
      // Encapsulated: this hook guards the board's routes only (Nest's guards never see a plugin's routes).
      fastify.addHook('onRequest', authorize);
      await fastify.register(fastifyStatic, { root: this.statics.path, prefix: `${this.statics.route}/`, decorateReply: false });
      const template = readFileSync(join(this.viewsPath, 'index.ejs'), 'utf8');
      for (const url of ([] as string[]).concat(entryRoute.route)) {
        fastify.get(url, async (_request, reply) => {
          const { params } = entryRoute.handler({ basePath: BOARD_PATH, uiConfig: this.uiConfig });
          return reply.type('text/html; charset=utf-8').send(renderPage(template, params));
        });
      }
      for (const route of this.apiRoutes) {
        const method = ([] as string[]).concat(route.method).map((name) => name.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH');
        for (const url of ([] as string[]).concat(route.route)) {
          fastify.route({
            method,
            url,
            handler: async (request, reply) => {
              const answer = await route.handler({
                queues,
                uiConfig: this.uiConfig,
                params: request.params as Record<string, unknown>,
                query: request.query as Record<string, unknown>,
                body: (request.body ?? {}) as Record<string, unknown>,
                headers: request.headers as Record<string, string | undefined>,
              });
              return reply.status(answer.status ?? 200).send(answer.body);
            },
          });
        }
      }
      fastify.setErrorHandler((error: Error, _request, reply) => {
        const answer = errorHandler(error);
        return reply.status(answer.status ?? 500).send(answer.body);
      });
    };
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** bull-board's page with its parameters: `<%= name %>` escaped for HTML, `<%- name %>` as given. */
function renderPage(template: string, params: Record<string, string | undefined>): string {
  return template.replace(/<%([=-])\s*(\w+)\s*%>/g, (_tag, kind: string, name: string) => {
    const value = params[name] ?? '';
    return kind === '-' ? value : value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
  });
}

/**
 * Bull Board (the @bull-board packages) at /ops/board, with every queue of QueueName. A browser sends no bearer
 * header, so the board takes the admin key as the password of HTTP Basic authentication too; anything else gets
 * 401 with `WWW-Authenticate: Basic`, which makes the browser ask. The key is compared by its hash and never
 * logged (the access log has no headers). Worker processes have no HTTP server and no board.
 */
@Injectable()
export class BullBoard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OPS_QUEUES) private readonly queues: OpsQueues,
    private readonly adminKey: AdminKey,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.register) return;
    const adapter = new FastifyBoardAdapter();
    createBullBoard({
      queues: [...this.queues.values()].map((queue) => new BullMQAdapter(queue)),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'popgate queues' } },
    });
    // Queued, not awaited: awaiting here would load Fastify's pending plugins before Nest has set its error handler,
    // and body-parser errors (malformed JSON, 413) would then be answered as Fastify's JSON, not as problems.
    void fastify.register(adapter.plugin((request, reply) => this.authorize(request, reply)), { prefix: BOARD_PATH });
  }

  private async authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = offeredKey(request.headers.authorization);
    if (key !== null && this.adminKey.matches(hashApiKey(key))) return;
    void reply.header('www-authenticate', `Basic realm="${BOARD_REALM}"`);
    sendProblem(
      new UnauthorizedError(
        key === null ? 'missing_credentials' : 'unknown_credentials',
        'The queue board needs the admin key: sign in with any user name and the admin key as the password, or send `Authorization: Bearer <admin key>`.',
      ),
      request,
      reply,
    );
    return reply;
  }
}
