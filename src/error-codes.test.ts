import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { InjectOptions } from 'fastify';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderErrorCodes } from '../scripts/gen-error-codes.ts';
import { currentSection, README } from '../scripts/readme-sections.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { ERROR_CODES, type ErrorCode, statusesOf } from './error-codes.ts';
import * as errors from './errors.ts';

const SRC = import.meta.dirname;
const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const isCode = (s: string): s is ErrorCode => Object.hasOwn(ERROR_CODES, s);

/** Each helper of errors.ts: the status it must send, where its code goes, the code it defaults to. */
const HELPERS: Record<string, { status: number; codeArg: number; make: (code?: ErrorCode) => errors.HttpError; fallback?: ErrorCode }> = {
  badRequest: { status: 400, codeArg: 1, make: (c) => errors.badRequest('m', c ?? 'bad_request') },
  unauthorized: { status: 401, codeArg: 1, make: (c) => errors.unauthorized('m', c ?? 'invalid_token') },
  forbidden: { status: 403, codeArg: 1, make: (c) => errors.forbidden('m', c ?? 'not_admin') },
  notFound: { status: 404, codeArg: 1, make: (c) => errors.notFound('m', c), fallback: 'not_found' },
  conflict: { status: 409, codeArg: 1, make: (c) => errors.conflict('m', c ?? 'already_rated') },
  gone: { status: 410, codeArg: 1, make: (c) => errors.gone('m', c ?? 'token_expired') },
  unprocessable: { status: 422, codeArg: 1, make: (c) => errors.unprocessable('m', c ?? 'name_required') },
  tooManyRequests: { status: 429, codeArg: 2, make: (c) => errors.tooManyRequests(1, undefined, c), fallback: 'rate_limited' },
};

/** A place in src/ that sends a code; `statuses` empty when the status is not a literal there. */
interface Site {
  at: string;
  codes: string[];
  statuses: number[];
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.ts$/.test(entry.name) && !/(\.test|\.fixture|test-helpers)\.ts$/.test(entry.name)) yield path;
  }
}

/** The literals an expression can evaluate to (through `a ? 'x' : 'y'`, `m[k] ?? 'x'`, parentheses). */
function literals<T>(e: ts.Expression | undefined, pick: (e: ts.Expression) => T | undefined): T[] {
  if (!e) return [];
  const picked = pick(e);
  if (picked !== undefined) return [picked];
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return literals(e.expression, pick);
  if (ts.isConditionalExpression(e)) return [...literals(e.whenTrue, pick), ...literals(e.whenFalse, pick)];
  const or = [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken];
  if (ts.isBinaryExpression(e) && or.includes(e.operatorToken.kind)) return [...literals(e.left, pick), ...literals(e.right, pick)];
  return [];
}
const strings = (e: ts.Expression | undefined) =>
  literals(e, (x) => (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) ? x.text : undefined));
const numbers = (e: ts.Expression | undefined) => literals(e, (x) => (ts.isNumericLiteral(x) ? Number(x.text) : undefined));

/** The status of `errorBody(…)` inside `[status, reason, errorBody(…)]` or `reply.status(n)….send(errorBody(…))`. */
function errorBodyStatus(call: ts.CallExpression): number[] {
  const parent = call.parent;
  if (ts.isArrayLiteralExpression(parent)) return numbers(parent.elements[0]);
  if (!ts.isCallExpression(parent) || !ts.isPropertyAccessExpression(parent.expression) || parent.expression.name.text !== 'send')
    return [];
  let receiver: ts.Expression = parent.expression.expression;
  while (ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression)) {
    if (receiver.expression.name.text === 'status') return numbers(receiver.arguments[0]);
    receiver = receiver.expression.expression;
  }
  return [];
}

/** Every site in src/ (tests excepted) that sends an error code, found in the syntax tree. */
function scanSites(): Site[] {
  const sites: Site[] = [];
  for (const file of sourceFiles(SRC)) {
    if (file === join(SRC, 'error-codes.ts')) continue;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const add = (node: ts.Node, codes: string[], statuses: number[]) => {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      if (codes.length) sites.push({ at: `${relative(SRC, file)}:${line}`, codes, statuses });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const helper = HELPERS[node.expression.text];
        const arg = helper && node.arguments[helper.codeArg];
        if (helper) add(node, arg ? strings(arg) : helper.fallback ? [helper.fallback] : [], [helper.status]);
        if (node.expression.text === 'errorBody') add(node, strings(node.arguments[0]), errorBodyStatus(node));
      }
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'HttpError') {
        add(node, strings(node.arguments?.[1]), numbers(node.arguments?.[0]));
      }
      // A body written by hand (on a raw socket): `{ error, message, code: '…' }`.
      if (ts.isObjectLiteralExpression(node)) {
        const props = node.properties.filter(ts.isPropertyAssignment);
        const name = (p: ts.PropertyAssignment) => (ts.isIdentifier(p.name) ? p.name.text : '');
        const code = props.find((p) => name(p) === 'code');
        if (code && props.some((p) => name(p) === 'error' || name(p) === 'message')) add(node, strings(code.initializer), []);
      }
      // A table of codes typed as such: `const X: Record<string, ErrorCode> = { … }`.
      if (ts.isVariableDeclaration(node) && node.type?.getText(sf).includes('ErrorCode') && node.initializer) {
        const init = node.initializer;
        if (ts.isObjectLiteralExpression(init)) {
          add(
            node,
            init.properties.filter(ts.isPropertyAssignment).flatMap((p) => strings(p.initializer)),
            [],
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return sites;
}

describe('error codes (src/error-codes.ts)', () => {
  const sites = scanSites();

  it('lists each code once, alphabetically, with a status and a one-line meaning', () => {
    expect(CODES).toEqual([...CODES].sort());
    for (const code of CODES) {
      expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
      for (const status of statusesOf(code)) expect(status >= 400 && status < 600, `${code}: ${status}`).toBe(true);
      expect(ERROR_CODES[code].meaning, code).toMatch(/^\S.*\S$/);
      expect(ERROR_CODES[code].meaning, code).not.toContain('\n');
    }
  });

  it('README.md shows the table as `npm run docs:errors` writes it', () => {
    const section = currentSection(readFileSync(README, 'utf8'), 'error-codes');
    expect(section, 'README.md lacks the error-codes markers').not.toBeNull();
    expect(section, 'README.md is stale: run `npm run docs:errors`').toBe(renderErrorCodes());
  });

  it('each helper of errors.ts sends its status, and its default code', () => {
    for (const [name, helper] of Object.entries(HELPERS)) {
      expect(helper.make().status, name).toBe(helper.status);
      if (helper.fallback) expect(helper.make(undefined).code, name).toBe(helper.fallback);
    }
  });

  it('finds the code sites in src/', () => {
    expect(sites.length).toBeGreaterThan(150);
  });

  it('every code sent from src/ is listed', () => {
    const unlisted = sites.flatMap((s) => s.codes.filter((c) => !isCode(c)).map((c) => `${s.at} ${c}`));
    expect(unlisted).toEqual([]);
  });

  it('every listed code is sent from somewhere in src/ (no dead codes)', () => {
    const used = new Set(sites.flatMap((s) => s.codes));
    expect(CODES.filter((c) => !used.has(c))).toEqual([]);
  });

  it('every call site sends its code with a status the table lists', () => {
    const wrong = sites.flatMap((s) =>
      s.codes.filter(isCode).flatMap((c) => s.statuses.filter((st) => !statusesOf(c).includes(st)).map((st) => `${s.at} ${c} ${st}`)),
    );
    expect(wrong).toEqual([]);
  });

  it('lists no status a code is never sent with, where every site names its status', () => {
    const stale: string[] = [];
    for (const code of CODES) {
      const mine = sites.filter((s) => s.codes.includes(code));
      if (!mine.length || mine.some((s) => !s.statuses.length)) continue;
      const seen = new Set(mine.flatMap((s) => s.statuses));
      for (const st of statusesOf(code)) if (!seen.has(st)) stale.push(`${code} ${st}`);
    }
    expect(stale).toEqual([]);
  });
});

describe('error codes over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /docs/json carries the table as components.schemas.ErrorCode', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const schema = res.json().components.schemas.ErrorCode;
    expect(schema.type).toBe('string');
    expect(schema.enum).toEqual(CODES);
    expect(schema['x-error-codes']).toEqual(CODES.map((code) => ({ code, ...ERROR_CODES[code] })));
    const verify = res.json().paths['/api/auth/magic-link/verify'].post.responses['400'].content['application/json'].schema;
    expect(verify.properties.code.description).toContain('components.schemas.ErrorCode');
  });

  it('answers the framework errors with their listed code and status, in the error shape', async () => {
    const cases = [
      { method: 'GET', url: '/api/no/such/route' },
      { method: 'DELETE', url: '/health' },
      { method: 'GET', url: `/review/${'x'.repeat(101)}` },
      { method: 'GET', url: '/review/%E0%A4%A' },
      { method: 'POST', url: '/api/auth/magic-link/verify', payload: '{"token":', headers: { 'content-type': 'application/json' } },
      { method: 'POST', url: '/api/auth/magic-link/verify', payload: { token: 1, extra: true } },
      { method: 'POST', url: '/api/auth/magic-link/verify', payload: 'a=b', headers: { 'content-type': 'text/csv' } },
    ] as const;
    const seen: string[] = [];
    for (const c of cases) {
      const res = await t.app.inject(c as InjectOptions);
      const body = res.json();
      expect(Object.keys(body).sort(), c.url).toEqual(['code', 'error', 'message']);
      expect(isCode(body.code), `${c.url}: ${body.code}`).toBe(true);
      expect(statusesOf(body.code), `${c.url}: ${body.code}`).toContain(res.statusCode);
      seen.push(body.code);
    }
    expect(seen).toEqual([
      'route_not_found',
      'method_not_allowed',
      'path_parameter_too_long',
      'invalid_url',
      'invalid_json',
      'validation_failed',
      'unsupported_media_type',
    ]);
  });
});
