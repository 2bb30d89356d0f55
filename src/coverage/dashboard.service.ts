import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { offeredKey, ReaderKeys } from '../access/manager.guard.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { projectRoot } from '../reference/project-root.js';
import { DASHBOARD_TEXTS } from './dashboard-i18n.js';
import { cookieValue, SESSION_COOKIE, SESSION_TTL_MS, SessionSeal, sessionCookie, type DashboardRole, type DashboardSession } from './dashboard-session.js';

/** A file the dashboard serves, read once at start: its bytes and media type. */
export interface DashboardAsset {
  body: Buffer;
  type: string;
}

/** The reads a dashboard session may make with its key: the managers' coverage reads (GET only: read-only). */
const SESSION_READS = /^\/coverage\/v1\//;

/** Marks a request whose `Authorization` came from its session cookie (so that a 401 does not ask for Basic). */
const FROM_SESSION = Symbol('popgate.dashboardSession');

/**
 * The managers' dashboard: who may sign in, the session cookie, and the page's files. A browser sends no bearer
 * header, so a signed-in page's own GETs of /coverage/v1 carry the session cookie instead, and an onRequest hook puts
 * the key it seals back into `Authorization`: the coverage and readiness guards then judge it exactly as they judge
 * an API client, on every call (a revoked key stops the page at once). Only GET and HEAD are translated, so a
 * session is read-only even for the admin key, and a cookie never reaches any other route.
 */
@Injectable()
export class DashboardService implements OnModuleInit {
  private readonly seal: SessionSeal;
  /** Read when the HTTP server starts (a worker process serves none). */
  private assets = new Map<string, DashboardAsset>();

  constructor(
    private readonly keys: ReaderKeys,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.seal = new SessionSeal(config.access.adminApiKey ?? null);
  }

  onModuleInit(): void {
    // The worker process has no HTTP server.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    this.assets = loadAssets();
    // The sign-in form posts application/x-www-form-urlencoded, as every browser form does without script.
    if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) {
      fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
    }
    fastify.addHook('onRequest', async (request) => this.authorizeFromSession(request));
    fastify.addHook('onSend', async (request, reply) => {
      // The page handles a lapsed session itself (back to the form); Basic's challenge would open the browser's prompt.
      if ((request as { [FROM_SESSION]?: boolean })[FROM_SESSION] && reply.statusCode === 401) reply.removeHeader('www-authenticate');
    });
  }

  private authorizeFromSession(request: FastifyRequest): void {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.headers.authorization !== undefined) return;
    // The route the router chose, not the raw URL, so that no spelling of another path passes for a coverage read.
    if (!SESSION_READS.test(request.routeOptions.url ?? '')) return;
    const session = this.sessionOf(request);
    if (!session) return;
    request.headers.authorization = `Bearer ${session.key}`;
    (request as { [FROM_SESSION]?: boolean })[FROM_SESSION] = true;
  }

  /** The session a request's cookie seals, unexpired, or null (its key is not checked here). */
  sessionOf(request: FastifyRequest): DashboardSession | null {
    return this.seal.open(cookieValue(request.headers.cookie, SESSION_COOKIE));
  }

  /** The session of a request's cookie whose key still holds its role now, or null. */
  async liveSessionOf(request: FastifyRequest): Promise<DashboardSession | null> {
    const session = this.sessionOf(request);
    if (!session) return null;
    const role = await this.roleOf(session.key);
    return role ? { ...role, key: session.key, expiresAt: session.expiresAt } : null;
  }

  /** Who holds `key` (ReaderKeys): the operator, a manager, a consumer with a live key, or nobody. */
  async roleOf(key: string): Promise<DashboardRole | null> {
    const holder = await this.keys.holderOf(key);
    if (!holder) return null;
    return holder.kind === 'consumer' ? { role: 'consumer', consumerId: holder.consumerId, consumerName: holder.consumerName } : { role: holder.kind };
  }

  /** The role of the key a request offers as Bearer or Basic (a browser's sign-in prompt), or null. */
  async roleOfRequest(request: FastifyRequest): Promise<{ key: string; role: DashboardRole } | null> {
    const key = offeredKey(request.headers.authorization);
    if (key === null) return null;
    const role = await this.roleOf(key);
    return role ? { key, role } : null;
  }

  /** Starts a session of `key` on the reply: the sealed cookie. */
  startSession(request: FastifyRequest, reply: FastifyReply, key: string, role: DashboardRole): DashboardSession {
    const session: DashboardSession = { ...role, key, expiresAt: Date.now() + SESSION_TTL_MS };
    void reply.header('set-cookie', sessionCookie(this.seal.seal(session), viaHttps(request)));
    return session;
  }

  endSession(request: FastifyRequest, reply: FastifyReply): void {
    void reply.header('set-cookie', sessionCookie(null, viaHttps(request)));
  }

  asset(name: string): DashboardAsset | undefined {
    return this.assets.get(name);
  }
}

/** Whether the browser reached popgate over https: directly, or through a proxy that says so. */
function viaHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return request.protocol === 'https' || proto === 'https';
}

/**
 * The page's files: its script and style from public/dashboard, the catalogue as JSON, and chart.js's UMD build from
 * node_modules, so that the page needs no CDN and works without internet access. Read from the project root, the
 * same from src/ under Jest and from dist/src/ after `npm run build`.
 */
function loadAssets(): Map<string, DashboardAsset> {
  const folder = join(projectRoot(), 'public', 'dashboard');
  const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
  return new Map<string, DashboardAsset>([
    ['dashboard.js', { body: readFileSync(join(folder, 'dashboard.js')), type: 'text/javascript; charset=utf-8' }],
    ['dashboard.css', { body: readFileSync(join(folder, 'dashboard.css')), type: 'text/css; charset=utf-8' }],
    ['index.html', { body: readFileSync(join(folder, 'index.html')), type: 'text/html; charset=utf-8' }],
    ['chart.umd.min.js', { body: readFileSync(chartJs), type: 'text/javascript; charset=utf-8' }],
    ['i18n.json', { body: Buffer.from(JSON.stringify(DASHBOARD_TEXTS)), type: 'application/json; charset=utf-8' }],
  ]);
}
