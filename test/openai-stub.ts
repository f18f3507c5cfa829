/**
 * A local stand-in for an OpenAI-compatible `POST /chat/completions` endpoint on 127.0.0.1. Each
 * request takes the next scripted behaviour (default: a valid structured answer), so tests can
 * script an outage, a slow answer or a malformed one.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StubBehaviour =
  | { kind: 'answer'; content: unknown }
  | { kind: 'raw'; status: number; body: string }
  | { kind: 'slow'; ms: number; content: unknown };

export interface ChatStub {
  url: string;
  requests: { path: string; auth: string | null; body: Record<string, unknown> }[];
  /** Behaviours of the next requests, in order. */
  script(...b: StubBehaviour[]): void;
  close(): Promise<void>;
}

export const VALID_ANSWER = {
  clarity: 72,
  summary: 'You want a price for a website redesign.',
  missingContext: ['budget'],
  clarifications: [
    { question: 'What is your budget?', why: 'It bounds the options.', optional: false },
    { question: 'When must it be live?', why: 'Deadlines change the plan.', optional: true },
  ],
  attachmentSuggestions: ['A link to the current site'],
};

const completion = (content: unknown) =>
  JSON.stringify({
    id: 'chatcmpl-stub',
    object: 'chat.completion',
    model: 'stub',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content: typeof content === 'string' ? content : JSON.stringify(content) },
      },
    ],
  });

export async function startChatStub(): Promise<ChatStub> {
  const queue: StubBehaviour[] = [];
  const requests: ChatStub['requests'] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      requests.push({ path: req.url ?? '', auth: req.headers.authorization ?? null, body: JSON.parse(raw || '{}') });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const b = queue.shift() ?? { kind: 'answer', content: VALID_ANSWER };
      const send = (status: number, body: string) => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      };
      if (b.kind === 'raw') send(b.status, b.body);
      else if (b.kind === 'answer') send(200, completion(b.content));
      else setTimeout(() => send(200, completion(b.content)), b.ms).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...b) => void queue.push(...b),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
