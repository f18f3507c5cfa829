import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
}

/**
 * A local OAuth 2.0 / OpenID Connect provider speaking the token and userinfo endpoints the way
 * Google and LinkedIn do. Codes are single use and bound to the redirect URI they were issued for.
 */
export interface OAuthStub {
  url: string;
  clientId: string;
  clientSecret: string;
  /** What the user "approved" at the authorize page: returns the code the provider redirects back with. */
  issueCode(profile: StubProfile, redirectUri: string): string;
  requests: { method: string; path: string; body: string }[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => resolve(data));
  });
}

export async function startOAuthStub(clientId = 'stub-client', clientSecret = 'stub-secret', port = 0): Promise<OAuthStub> {
  const codes = new Map<string, { profile: StubProfile; redirectUri: string }>();
  const tokens = new Map<string, StubProfile>();
  const requests: OAuthStub['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? '', path, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && path.endsWith('/authorize')) {
      // The consent page, approved at once: the user is `login_hint` (default demo@example.com).
      const q = new URL(req.url ?? '/', 'http://stub').searchParams;
      const redirectUri = q.get('redirect_uri');
      if (q.get('client_id') !== clientId || !redirectUri || q.get('response_type') !== 'code')
        return json(400, { error: 'invalid_request' });
      const email = q.get('login_hint') || 'demo@example.com';
      const local = email.split('@')[0] ?? 'demo';
      const code = `code-${randomBytes(8).toString('hex')}`;
      codes.set(code, {
        profile: { sub: `stub-${email}`, email, email_verified: true, name: `${local} Demo`, given_name: local, family_name: 'Demo' },
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === 'POST' && path.endsWith('/token')) {
      const form = new URLSearchParams(body);
      const grant = codes.get(form.get('code') ?? '');
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return json(401, { error: 'invalid_client' });
      if (form.get('grant_type') !== 'authorization_code' || !grant || grant.redirectUri !== form.get('redirect_uri')) {
        return json(400, { error: 'invalid_grant' });
      }
      codes.delete(form.get('code') ?? '');
      const accessToken = `at-${randomBytes(8).toString('hex')}`;
      tokens.set(accessToken, grant.profile);
      return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.method === 'GET' && path.endsWith('/userinfo')) {
      const profile = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!profile) return json(401, { error: 'invalid_token' });
      return json(200, profile);
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    clientId,
    clientSecret,
    issueCode(profile, redirectUri) {
      const code = `code-${randomBytes(8).toString('hex')}`;
      codes.set(code, { profile, redirectUri });
      return code;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The env that points one provider at the stub (paths keep the two providers apart). */
export function stubEnv(stub: OAuthStub, provider: 'GOOGLE' | 'LINKEDIN'): Record<string, string> {
  const base = `${stub.url}/${provider.toLowerCase()}`;
  return {
    [`${provider}_CLIENT_ID`]: stub.clientId,
    [`${provider}_CLIENT_SECRET`]: stub.clientSecret,
    [`${provider}_AUTHORIZE_URL`]: `${base}/authorize`,
    [`${provider}_TOKEN_URL`]: `${base}/token`,
    [`${provider}_USERINFO_URL`]: `${base}/userinfo`,
  };
}
