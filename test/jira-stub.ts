/**
 * A local stand-in for Jira Cloud's create-issue endpoint (`POST /rest/api/3/issue`, Basic auth,
 * 201 `{id, key, self}`), on 127.0.0.1, so the `jira` ticket provider is tested over real HTTP.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JiraStub {
  url: string;
  requests: { method: string; path: string; auth: string | null; body: { fields?: Record<string, unknown> } }[];
  /** The next n requests answer this status with a Jira error body. */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

export async function startJiraStub(expectedAuth: string): Promise<JiraStub> {
  const requests: JiraStub['requests'] = [];
  let failures = 0;
  let failStatus = 500;
  let seq = 100;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      requests.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization ?? null, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== expectedAuth) return send(401, { errorMessages: ['Client must be authenticated'] });
      if (failures > 0) {
        failures--;
        return send(failStatus, { errorMessages: ['internal detail: db=jira-prod-7'], errors: {} });
      }
      if (req.method !== 'POST' || req.url !== '/rest/api/3/issue') return send(404, { errorMessages: ['Not found'] });
      const key = `${body.fields?.project?.key ?? 'X'}-${++seq}`;
      send(201, { id: String(10_000 + seq), key, self: `http://127.0.0.1/rest/api/3/issue/${10_000 + seq}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, status = 500) {
      failures = n;
      failStatus = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
