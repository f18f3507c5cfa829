import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

interface StubVideo {
  uid: string;
  created: string;
  state: string;
  size: number;
  data: Buffer | null;
  downloads: boolean;
}

export interface StreamStub {
  apiBase: string;
  deliveryBase: string;
  token: string;
  videos: Map<string, StubVideo>;
  /** Every request the stub saw, as "METHOD path". */
  calls: string[];
  stop(): Promise<void>;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
};

/** The bytes of the first file in a multipart body (enough for a stub). */
function multipartFile(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = `--${boundary?.[1] ?? boundary?.[2]}`;
  const start = body.indexOf('\r\n\r\n', body.indexOf(b)) + 4;
  const end = body.indexOf(`\r\n${b}`, start);
  return body.subarray(start, end);
}

/**
 * A local stand-in for the Cloudflare Stream API subset the adapter uses: direct uploads, server
 * uploads, status, downloads, delete, list by creation date, and MP4 delivery with ranges.
 */
export async function startStreamStub(account = 'acc123', token = 'stub-token'): Promise<StreamStub> {
  const videos = new Map<string, StubVideo>();
  const calls: string[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const created = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };
  const prefix = `/client/v4/accounts/${account}/stream`;
  const view = (v: StubVideo) => ({
    uid: v.uid,
    created: v.created,
    status: { state: v.state },
    readyToStream: v.state === 'ready',
    duration: 3,
    size: v.size,
  });

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    calls.push(`${req.method} ${url.pathname}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const ok = (result: unknown) => json(200, { success: true, errors: [], result });
    const missing = () => json(404, { success: false, errors: [{ message: 'Not Found' }] });
    const newVideo = (state: string, data: Buffer | null): StubVideo => {
      const v = { uid: randomBytes(16).toString('hex'), created: created(), state, size: data?.length ?? 0, data, downloads: false };
      videos.set(v.uid, v);
      return v;
    };

    if (url.pathname.startsWith('/upload/') && req.method === 'POST') {
      const v = videos.get(url.pathname.split('/')[2] ?? '');
      if (!v) return missing();
      v.data = multipartFile(await readBody(req), String(req.headers['content-type']));
      v.size = v.data.length;
      v.state = 'ready';
      res.writeHead(200).end();
      return;
    }
    const dl = /^\/([0-9a-f]{32})\/downloads\/default\.mp4$/.exec(url.pathname);
    if (dl) {
      const v = videos.get(dl[1] ?? '');
      if (!v?.downloads || !v.data) return void res.writeHead(404).end();
      const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (m) {
        const start = Number(m[1]);
        const end = Math.min(m[2] ? Number(m[2]) : v.data.length - 1, v.data.length - 1);
        if (start >= v.data.length) return void res.writeHead(416, { 'content-range': `bytes */${v.data.length}` }).end();
        res.writeHead(206, { 'content-type': 'video/mp4', 'content-range': `bytes ${start}-${end}/${v.data.length}` });
        return void res.end(v.data.subarray(start, end + 1));
      }
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(v.data.length) });
      return void res.end(v.data);
    }
    if (!url.pathname.startsWith(prefix)) return missing();
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(403, { success: false, errors: [{ message: 'Authentication error' }] });
    const rest = url.pathname.slice(prefix.length);
    const id = /^\/([0-9a-f]{32})/.exec(rest)?.[1];

    if (rest === '/direct_upload' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString()) as { maxDurationSeconds?: number };
      if (!body.maxDurationSeconds) return json(400, { success: false, errors: [{ message: 'maxDurationSeconds required' }] });
      const v = newVideo('pendingupload', null);
      const host = `http://${req.headers.host}`;
      return ok({ uid: v.uid, uploadURL: `${host}/upload/${v.uid}` });
    }
    if (rest === '' && req.method === 'POST') {
      const v = newVideo('ready', multipartFile(await readBody(req), String(req.headers['content-type'])));
      return ok(view(v));
    }
    if (rest === '' && req.method === 'GET') {
      const start = url.searchParams.get('start');
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const list = [...videos.values()].filter((v) => !start || v.created >= start).sort((a, b) => a.created.localeCompare(b.created));
      return ok(list.slice(0, limit).map(view));
    }
    if (id && rest === `/${id}` && req.method === 'GET') {
      const v = videos.get(id);
      return v ? ok(view(v)) : missing();
    }
    if (id && rest === `/${id}` && req.method === 'DELETE') {
      return videos.delete(id) ? ok(null) : missing();
    }
    if (id && rest === `/${id}/downloads` && req.method === 'POST') {
      const v = videos.get(id);
      if (!v) return missing();
      v.downloads = true;
      return ok({ default: { status: v.state === 'ready' ? 'ready' : 'inprogress', percentComplete: 100 } });
    }
    return missing();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    apiBase: `http://127.0.0.1:${port}/client/v4`,
    deliveryBase: `http://127.0.0.1:${port}`,
    token,
    videos,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
