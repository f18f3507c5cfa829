/**
 * Sign-in played by an attacker who knows the victim's address but not their mailbox: they can
 * neither lock the owner out (by guessing codes or by asking for e-mails) nor learn from the answers
 * whether the address has a live code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

const OWNER = '10.7.0.1';
const ATTACKER = '10.66.0.1';
const MIN = 60 * 1000;

describe('magic link against an attacker', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A high per-IP limit: the address quotas are under test, not the network's.
    t = await createTestApp({ CLIENT_ORIGIN: 'https://app.example', MAGIC_LINK_IP_LIMIT_PER_HOUR: '1000' });
  });
  afterAll(() => t.close());

  const send = (email: string, ip: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/magic-link/send', payload: { email }, remoteAddress: ip });
  const verify = (payload: Record<string, unknown>, ip: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/magic-link/verify', payload, remoteAddress: ip });
  async function mailOf(to: string) {
    const mail = await t.ctx.db
      .selectFrom('email_outbox')
      .select('text_body')
      .where('to_address', '=', to)
      .where('template', '=', 'magic_link')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return {
      token: /magic-link\?token=([A-Za-z0-9_-]+)/.exec(mail.text_body)?.[1] as string,
      code: /code: (\d{6})/.exec(mail.text_body)?.[1] as string,
    };
  }
  const tokens = (email: string) =>
    t.ctx.db
      .selectFrom('magic_link_token')
      .select(['failed_attempts', 'foreign_failed_attempts', 'used'])
      .where('email', '=', email)
      .execute();
  const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

  it("a stranger's wrong codes never use up the owner's attempts: the owner's code and link still work", async () => {
    const email = 'victim1@example.test';
    await send(email, OWNER);
    const { code } = await mailOf(email);
    for (let i = 0; i < 12; i++) {
      const guess = String((Number(wrongFor(code)) + i * 7919) % 1_000_000).padStart(6, '0');
      if (guess === code) continue;
      expect((await verify({ email, code: guess }, `10.66.${i}.1`)).statusCode).toBe(400);
    }
    // Strangers' budget is spent; even the right code from a stranger's network now fails…
    expect((await verify({ email, code }, ATTACKER)).statusCode).toBe(400);
    expect(await tokens(email)).toEqual([{ failed_attempts: 0, foreign_failed_attempts: 5, used: false }]);
    // …while the owner signs in with the code from the network that asked for it.
    const res = await verify({ email, code }, OWNER);
    expect(res.statusCode).toBe(200);
    expect(res.json().email).toBe(email);
    expect((await tokens(email))[0]?.used).toBe(true);

    // And the link is never stopped by wrong codes: its token cannot be guessed.
    await send(email, OWNER);
    const second = await mailOf(email);
    for (let i = 0; i < 6; i++) await verify({ email, code: wrongFor(second.code) }, OWNER);
    expect((await verify({ email, code: second.code }, OWNER)).statusCode).toBe(400);
    expect((await verify({ token: second.token }, ATTACKER)).statusCode).toBe(200);
  });

  it('answers every code that does not sign in identically: unknown address, wrong, used, expired, out of attempts', async () => {
    const answers: unknown[] = [];
    const record = async (email: string, code: string) => {
      const r = await verify({ email, code }, ATTACKER);
      answers.push({ status: r.statusCode, body: r.json() });
    };
    await record('nobody-here@example.test', '123456');
    await send('live@example.test', OWNER);
    const live = await mailOf('live@example.test');
    await record('live@example.test', wrongFor(live.code));
    await verify({ email: 'live@example.test', code: live.code }, OWNER);
    await record('live@example.test', live.code); // used
    await send('old@example.test', OWNER);
    const old = await mailOf('old@example.test');
    t.clock.advance(16 * MIN);
    await record('old@example.test', old.code); // expired
    await send('burnt@example.test', OWNER);
    const burnt = await mailOf('burnt@example.test');
    for (let i = 0; i < 5; i++) await verify({ email: 'burnt@example.test', code: wrongFor(burnt.code) }, `10.67.${i}.1`);
    await record('burnt@example.test', burnt.code); // strangers' attempts spent
    expect(answers).toHaveLength(5);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]).toEqual({
      status: 400,
      body: { error: expect.any(String), message: expect.any(String), code: 'invalid_code' },
    });
  });

  it("a stranger asking for e-mails spends their own network's quota; the owner always gets one within 5 minutes", async () => {
    const email = 'victim2@example.test';
    for (let i = 0; i < 3; i++) expect((await send(email, ATTACKER)).statusCode).toBe(200);
    expect((await send(email, ATTACKER)).statusCode).toBe(429);
    expect((await send(email, OWNER)).statusCode).toBe(200);

    // From many networks the attacker fills the address's hourly quota…
    for (let i = 0; (await tokens(email)).length < 10; i++) expect((await send(email, `10.68.${i}.1`)).statusCode).toBe(200);
    const refused = await send(email, OWNER);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().retryAfter).toBeLessThanOrEqual(300);
    // …which leaves one e-mail per 5 minutes, and each one the attacker triggers still reaches the owner.
    t.clock.advance(5 * MIN);
    expect((await send(email, OWNER)).statusCode).toBe(200);
    expect((await send(email, `10.69.0.1`)).statusCode).toBe(429);
    const { code } = await mailOf(email);
    expect((await verify({ email, code }, OWNER)).statusCode).toBe(200);
  });
});
