/**
 * Slow clients over real loopback sockets: headers sent a byte at a time, bodies trickled in, and
 * one client opening many stalled uploads. Each must be cut off on its timeout while a normal
 * request is still answered at once. Before the fix they were held for over 70 s.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../app.ts';
import { recordFigure } from './report.ts';

const CLIENTS = Number(process.env.CHAOS_SLOW_CLIENTS ?? 100);
const OBSERVE_MS = 40_000;

let t: TestApp;
let port: number;
beforeAll(async () => {
  // The shipped defaults: 10 s for headers, 1 KiB/s minimum body rate, 4 uploads per IP.
  t = await createTestApp({ FEEDBACK_LIMIT_PER_HOUR: '10000' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as { port: number }).port;
});
afterAll(() => t?.close());

/** Opens a socket, writes `first`, then `drip` every second; resolves with how long the server held it. */
function slowClient(first: string, drip: string): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(first));
    const tick = setInterval(() => socket.writable && socket.write(drip), 1000);
    const stop = setTimeout(() => socket.destroy(), OBSERVE_MS);
    socket.on('error', () => {});
    // A client that got its answer stops sending; the hold is the server's to end.
    socket.once('data', () => clearInterval(tick));
    socket.on('close', () => {
      clearInterval(tick);
      clearTimeout(stop);
      resolve(Date.now() - started);
    });
  });
}

async function normalRequestMs(): Promise<number> {
  const started = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  expect(res.status).toBe(200);
  return Date.now() - started;
}

describe('slowloris', () => {
  it('cuts off clients that send headers a byte per second', async () => {
    const held = Array.from({ length: CLIENTS }, (_, i) => slowClient('GET /health HTTP/1.1\r\nHost: x\r\n', `X-${i}: y\r\n`));
    await new Promise((r) => setTimeout(r, 2000));
    const normal = await normalRequestMs();
    const times = await Promise.all(held);
    const max = Math.max(...times);
    recordFigure('slowloris', `slow-header clients (${CLIENTS}): longest hold`, Math.round(max / 100) / 10, 's');
    recordFigure('slowloris', 'normal request during slow headers', normal, 'ms');
    expect(max).toBeLessThan(15_000);
    expect(normal).toBeLessThan(1000);
  }, 60_000);

  it('cuts off clients that trickle a body in', async () => {
    const head = 'POST /api/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"a":"';
    const held = Array.from({ length: CLIENTS }, () => slowClient(head, 'aa'));
    await new Promise((r) => setTimeout(r, 2000));
    const normal = await normalRequestMs();
    const times = await Promise.all(held);
    const max = Math.max(...times);
    recordFigure('slowloris', `slow-body clients (${CLIENTS}): longest hold`, Math.round(max / 100) / 10, 's');
    recordFigure('slowloris', 'normal request during slow bodies', normal, 'ms');
    expect(max).toBeLessThan(15_000);
    expect(normal).toBeLessThan(1000);
  }, 60_000);

  it('holds at most the per-IP cap of stalled uploads from one client', async () => {
    const head =
      'POST /api/media/upload-attachment HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000\r\n\r\n--b\r\n';
    const started = Date.now();
    const times = await Promise.all(Array.from({ length: 200 }, () => slowClient(head, '')));
    const heldOver1s = times.filter((ms) => ms > 1000).length;
    recordFigure('slowloris', 'stalled uploads from one IP (200): held open > 1 s', heldOver1s, 'uploads');
    recordFigure('slowloris', 'stalled uploads: all closed after', Math.round((Date.now() - started) / 100) / 10, 's');
    expect(heldOver1s).toBeLessThanOrEqual(4);
    expect(Math.max(...times)).toBeLessThan(15_000);
  }, 60_000);
});
