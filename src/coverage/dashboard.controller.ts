import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UnauthorizedError } from '../common/domain-error.js';
import { ApiJsonResponse, ApiProblems, ApiPublic } from '../common/openapi.js';
import { dashboardLanguageOf, dashboardText, type DashboardLanguage, type DashboardTextKey } from './dashboard-i18n.js';
import { DashboardService } from './dashboard.service.js';
import { SESSION_COOKIE, SESSION_TTL_MS, type DashboardSession } from './dashboard-session.js';

/**
 * The HTML answers' own policy: every script and style from popgate itself (no CDN, no inline code), no framing,
 * and the form posts only here.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const dashboardSessionSchema = z.object({
  role: z.enum(['admin', 'manager', 'consumer']).describe('`admin` and `manager` see every service; `consumer` only its own readiness'),
  consumerId: z.string().optional().describe('The consumer signed in (role `consumer` only)'),
  consumerName: z.string().optional(),
  expiresAt: z.string().describe('ISO 8601: when the session ends and the form is shown again'),
});
export type DashboardSessionView = z.infer<typeof dashboardSessionSchema>;

function toSessionView(session: DashboardSession): DashboardSessionView {
  const consumer = session.role === 'consumer' ? { consumerId: session.consumerId, consumerName: session.consumerName } : {};
  return { role: session.role, ...consumer, expiresAt: new Date(session.expiresAt).toISOString() };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The sign-in form, in one language, with a message (a refused key, a signed-out session) or none. */
function loginPage(language: DashboardLanguage, message: DashboardTextKey | null): string {
  const t = (key: DashboardTextKey) => escapeHtml(dashboardText(language, key));
  const other: DashboardLanguage = language === 'vi' ? 'en' : 'vi';
  return `<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('page.title')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
</head>
<body class="login">
<main>
<h1>${t('login.title')}</h1>
<p><a id="lang-switch" href="/dashboard?lang=${other}" hreflang="${other}">${t('lang.switch')}</a></p>
${message ? `<p id="login-message" class="message" role="alert">${t(message)}</p>` : ''}
<form method="post" action="/dashboard/login" autocomplete="off">
<input type="hidden" name="lang" value="${language}">
<label for="key">${t('login.key')}</label>
<input id="key" name="key" type="password" required autofocus>
<button id="login-submit" type="submit">${t('login.submit')}</button>
</form>
<p class="hint">${t('login.hint')}</p>
</main>
</body>
</html>
`;
}

const HTML_HEADERS = {
  'Content-Security-Policy': { description: 'Scripts, styles and reads from popgate only', schema: { type: 'string' }, example: CONTENT_SECURITY_POLICY },
  'Cache-Control': { description: '`no-store`', schema: { type: 'string' }, example: 'no-store' },
  'X-Frame-Options': { description: '`DENY`', schema: { type: 'string' }, example: 'DENY' },
  'Referrer-Policy': { description: '`no-referrer`', schema: { type: 'string' }, example: 'no-referrer' },
};
const NO_STORE = { 'Cache-Control': HTML_HEADERS['Cache-Control'] };
const SET_COOKIE_HEADER = {
  'Set-Cookie': {
    description: `The session: \`${SESSION_COOKIE}=<sealed>; Max-Age=${SESSION_TTL_MS / 1000}; Path=/; HttpOnly; SameSite=Strict\`, plus \`Secure\` behind https`,
    schema: { type: 'string' },
    example: `${SESSION_COOKIE}=Q2hhbmdlZCBvbiBldmVyeSBzaWduLWlu; Max-Age=${SESSION_TTL_MS / 1000}; Path=/; HttpOnly; SameSite=Strict`,
  },
};
const HTML_PAGE = (example: string) => ({ 'text/html': { schema: { type: 'string' }, example } });

/**
 * The managers' dashboard: one page (GET /dashboard) whose script reads /coverage/v1 with the session cookie, its
 * sign-in form and session, and its files. Every HTML answer comes from the catalogue in dashboard-i18n.ts.
 */
@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @ApiPublic()
  @ApiOperation({
    summary: "The managers' dashboard (HTML), or its sign-in form",
    description:
      'With a live session cookie, or the admin key, MANAGER_API_KEY or a consumer key as HTTP Basic (any user name, the key as ' +
      'password) or Bearer: the page, and with Basic or Bearer a new session cookie for its reads. Otherwise the sign-in form ' +
      '(200; 401 when the key offered is not known). The page and the form are in Vietnamese or English (`lang`, else ' +
      'Accept-Language, else Vietnamese); the page has a language switch. README, "Dashboard".',
  })
  @ApiQuery({ name: 'lang', required: false, schema: { type: 'string', enum: ['vi', 'en'] }, description: "The form's language" })
  @ApiQuery({ name: 'signedOut', required: false, schema: { type: 'string', enum: ['1'] }, description: 'Shows "You are signed out" on the form' })
  @ApiResponse({ status: 200, description: 'The page (signed in) or the sign-in form', headers: { ...HTML_HEADERS, ...SET_COOKIE_HEADER }, content: HTML_PAGE('<!DOCTYPE html><html lang="vi">…</html>') })
  @ApiResponse({ status: 401, description: 'The sign-in form with "This key is not known": a Basic or Bearer key was offered and is not known', headers: HTML_HEADERS, content: HTML_PAGE('<!DOCTYPE html><html lang="vi">…</html>') })
  async page(@Query('lang') lang: unknown, @Query('signedOut') signedOut: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const language = dashboardLanguageOf(lang, request.headers['accept-language']);
    if (await this.dashboard.liveSessionOf(request)) return this.sendPage(reply);
    if (request.headers.authorization !== undefined) {
      const offered = await this.dashboard.roleOfRequest(request);
      if (!offered) return this.sendHtml(reply.status(401), loginPage(language, 'login.unknownKey'));
      this.dashboard.startSession(request, reply, offered.key, offered.role);
      return this.sendPage(reply);
    }
    return this.sendHtml(reply.status(200), loginPage(language, signedOut === '1' ? 'login.signedOut' : null));
  }

  @Post('login')
  @ApiPublic()
  @ApiOperation({
    summary: 'Sign in to the dashboard with a key (form post)',
    description:
      'A known key (admin, MANAGER_API_KEY, or a consumer key with its readiness only): 303 to /dashboard with the session ' +
      `cookie (HttpOnly, SameSite=Strict, Secure behind https, ${SESSION_TTL_MS / 3_600_000} hours; the key sealed in it with ` +
      'AES-256-GCM, README "Dashboard"). A missing key (400) or an unknown one (401): the form again with a message.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    required: true,
    schema: {
      type: 'object',
      required: ['key'],
      properties: { key: { type: 'string', description: 'The admin key, MANAGER_API_KEY or a consumer key' }, lang: { type: 'string', enum: ['vi', 'en'] } },
      example: { key: 'manager-key-change-me-0000000000', lang: 'vi' },
    },
  })
  @ApiResponse({
    status: 303,
    description: 'Signed in: to the page',
    headers: { Location: { description: 'The page, in the form\'s language', schema: { type: 'string' }, example: '/dashboard?lang=vi' }, ...SET_COOKIE_HEADER, ...NO_STORE },
  })
  @ApiResponse({ status: 400, description: 'No key: the form again, with "Enter a key"', headers: HTML_HEADERS, content: HTML_PAGE('<!DOCTYPE html><html lang="vi">…</html>') })
  @ApiResponse({ status: 401, description: 'The key is not known or revoked: the form again, with its message', headers: HTML_HEADERS, content: HTML_PAGE('<!DOCTYPE html><html lang="vi">…</html>') })
  async login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const language = dashboardLanguageOf(body.lang, request.headers['accept-language']);
    const key = typeof body.key === 'string' ? body.key.trim() : '';
    if (key === '') return this.sendHtml(reply.status(400), loginPage(language, 'login.missingKey'));
    const role = key.length <= 256 ? await this.dashboard.roleOf(key) : null;
    if (!role) return this.sendHtml(reply.status(401), loginPage(language, 'login.unknownKey'));
    this.dashboard.startSession(request, reply, key, role);
    void reply.status(303).header('location', `/dashboard?lang=${language}`).header('cache-control', 'no-store').send();
  }

  @Post('logout')
  @HttpCode(303)
  @ApiPublic()
  @ApiOperation({ summary: 'Sign out: the session cookie removed, and back to the form' })
  @ApiResponse({
    status: 303,
    description: 'To the form (`/dashboard?signedOut=1`), with the cookie removed (`Max-Age=0`)',
    headers: { Location: { description: 'The form', schema: { type: 'string' }, example: '/dashboard?signedOut=1' }, ...SET_COOKIE_HEADER, ...NO_STORE },
  })
  logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.dashboard.endSession(request, reply);
    void reply.status(303).header('location', '/dashboard?signedOut=1').header('cache-control', 'no-store').send();
  }

  @Get('session')
  @ApiPublic()
  @ApiOperation({ summary: "Who the page's session cookie signs in (the page reads it to choose its views); never the key" })
  @ApiJsonResponse(200, 'The session', dashboardSessionSchema, { role: 'consumer', consumerId: '6b1e2f9a-1d4c-4f0e-8a7b-2c9d3e4f5a6b', consumerName: 'Hanoi land registry (sandbox)', expiresAt: '2026-12-01T22:00:00.000Z' })
  @ApiProblems(401)
  async session(@Req() request: FastifyRequest): Promise<DashboardSessionView> {
    const session = await this.dashboard.liveSessionOf(request);
    if (!session) throw new UnauthorizedError('no_session', 'No dashboard session: sign in at /dashboard.');
    return toSessionView(session);
  }

  @Get('assets/:file')
  @ApiPublic()
  @ApiOperation({ summary: "The page's files: dashboard.js, dashboard.css, chart.umd.min.js (chart.js, from node_modules) and i18n.json (the catalogue)" })
  @ApiParam({ name: 'file', schema: { type: 'string', enum: ['dashboard.js', 'dashboard.css', 'chart.umd.min.js', 'i18n.json'] } })
  @ApiResponse({
    status: 200,
    description: 'The file',
    headers: { 'Cache-Control': { description: '`no-cache`: revalidated, so that a new version shows at once', schema: { type: 'string' }, example: 'no-cache' } },
    content: {
      'text/javascript': { schema: { type: 'string' } },
      'text/css': { schema: { type: 'string' } },
      'application/json': { schema: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'string' } } } },
    },
  })
  @ApiProblems(404)
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = file === 'index.html' ? undefined : this.dashboard.asset(file);
    if (!asset) throw new NotFoundError('asset_not_found', 'No such file of the dashboard.');
    void reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  }

  private sendPage(reply: FastifyReply): void {
    this.sendHtml(reply.status(200), this.dashboard.asset('index.html')!.body);
  }

  private sendHtml(reply: FastifyReply, html: string | Buffer): void {
    void reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .send(html);
  }
}
