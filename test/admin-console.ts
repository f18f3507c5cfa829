import { parseSetCookie } from 'cookie';
import type { LightMyRequestResponse } from 'fastify';
import { createAdminApp } from '../src/admin-console/app.ts';
import type { AdminRole } from '../src/db/schema.ts';
import type { App } from '../src/http/app-type.ts';
import { createTestApp, type TestApp } from './app.ts';
import { createUser, tokenFor } from './factories.ts';

export const CONSOLE_ORIGIN = 'https://admin.mindpick.test';

export interface ConsoleTestApp extends TestApp {
  /** The admin console's listener, on the same context as the main app. */
  console: App;
}

/** The main app and the admin console's app on one fresh database. */
export async function createConsoleTestApp(env: Record<string, string> = {}): Promise<ConsoleTestApp> {
  const t = await createTestApp({ ADMIN_PORT: '0', ADMIN_ORIGIN: CONSOLE_ORIGIN, ...env });
  const consoleApp = await createAdminApp(t.ctx);
  await consoleApp.ready();
  return {
    ...t,
    console: consoleApp,
    async close() {
      await consoleApp.close();
      await t.close();
    },
  };
}

let addresses = 0;

/**
 * The console's browser: what `fetch('/api/…', {credentials: 'include'})` sends from the console's
 * page. It keeps cookies as a browser does (Set-Cookie, Max-Age=0 clears), sends the page's Origin on
 * every non-GET request, JSON bodies with their content type, and never an Authorization header.
 */
export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();
  readonly remoteAddress = `10.77.${(addresses >> 8) & 255}.${addresses++ & 255}`;
  private readonly t: ConsoleTestApp;
  readonly origin: string;
  constructor(t: ConsoleTestApp, origin = CONSOLE_ORIGIN) {
    this.t = t;
    this.origin = origin;
  }

  async call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET') headers.origin = this.origin;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.t.console.inject({
      method,
      url,
      headers,
      remoteAddress: this.remoteAddress,
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    for (const line of [res.headers['set-cookie'] ?? []].flat()) {
      const c = parseSetCookie(String(line));
      if (!c.name) continue;
      if (c.maxAge === 0 || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value ?? '');
    }
    return res;
  }
}

/** A main-app account with an admin role, and a browser holding its main-app `qc_session` cookie. */
export async function consoleAdmin(t: ConsoleTestApp, role: AdminRole = 'super_admin', name = `Console ${role}`) {
  const user = await createUser(t.ctx.db, { name });
  const admin = await t.ctx.db.insertInto('admin_users').values({ user_id: user.id, role }).returningAll().executeTakeFirstOrThrow();
  const browser = new ConsoleBrowser(t);
  browser.cookies.set('qc_session', await tokenFor(t.ctx, user));
  return { user, admin, browser };
}

/** The same admin, signed in to the console (the auto-login: GET /api/me mints the admin cookie). */
export async function signedInAdmin(t: ConsoleTestApp, role: AdminRole = 'super_admin') {
  const a = await consoleAdmin(t, role);
  const me = await a.browser.call('GET', '/api/me');
  if (me.statusCode !== 200) throw new Error(`console sign-in failed: ${me.body}`);
  return a;
}
