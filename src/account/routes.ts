import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import { sessionOrIpKey } from '../auth/rate-key.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { bearerToken } from '../http/bearer.ts';
import { errorResponses } from '../http/schemas.ts';
import { sendObject } from '../media/serve.ts';
import { installErasedMediaGuard } from '../privacy/media-guard.ts';
import { emptyBodyAsObject } from '../questions/shapes.ts';
import { confirmAskerErasure, requestAskerErasure } from './asker.ts';
import { createExport, EXPORT_PATH, findExportForDownload } from './export.ts';
import { deleteAccount, sendDeleteCode } from './service.ts';

const Receipt = Type.Object({
  ok: Type.Boolean(),
  success: Type.Boolean(),
  deletion_id: Type.String({ format: 'uuid' }),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'rows erased, scrubbed or queued, per table' }),
  message: Type.String(),
});
const CodeSent = Type.Object({ ok: Type.Boolean(), success: Type.Boolean(), message: Type.String(), expires_in_seconds: Type.Integer() });
const DeleteBody = Type.Object(
  { code: Type.Optional(Type.String({ maxLength: 12, description: '6-digit code from POST /me/delete-account/code' })) },
  { additionalProperties: false },
);
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ maxLength: 200, description: 'a retry with the same key gets the same receipt' })),
});
const ExportReply = Type.Object({
  ok: Type.Boolean(),
  success: Type.Boolean(),
  export_id: Type.Integer(),
  download_url: Type.String(),
  expires_at: Type.Number({ description: 'epoch milliseconds' }),
  size_bytes: Type.Integer(),
  file_count: Type.Integer(),
});

/** Limits of the public routes: per client IP. */
const perIp = (max: number, minutes: number) => ({ rateLimit: { max, timeWindow: minutes * 60_000 } });

/** Account deletion, data export and asker erasure (privacy-cleanup-security.md, account deletion 1–9). */
export function accountRoutes(app: App, ctx: AppContext): void {
  installErasedMediaGuard(app, ctx);
  /** Limits of the signed-in routes: per account (whatever the network), per IP without a valid session. */
  const perUser = (max: number, minutes: number) => ({
    rateLimit: { max, timeWindow: minutes * 60_000, keyGenerator: sessionOrIpKey(ctx) },
  });

  const deleteSchema = {
    tags: ['account'],
    summary:
      'Delete the account and everything it owns, in one transaction. Needs a fresh proof: a sign-in within the last minutes, or the e-mailed code.',
    security: bearerSecurity,
    headers: IdempotencyHeaders,
    body: DeleteBody,
    response: { 200: Receipt, ...errorResponses(400, 401, 403, 410, 429) },
  };
  const remove = async (req: FastifyRequest<{ Body: { code?: string } }>) => {
    const key = req.headers['idempotency-key'];
    const r = await deleteAccount(ctx, {
      token: bearerToken(req),
      idempotencyKey: typeof key === 'string' ? key : null,
      code: req.body?.code?.trim() ?? null,
    });
    return { ok: true, success: true, ...r, message: 'Your account and its data were deleted. A confirmation e-mail is on its way.' };
  };
  const deleteOpts = { schema: deleteSchema, preValidation: emptyBodyAsObject, config: perUser(30, 15) };
  // The legacy client sends `Content-Type: application/json` with no body at all: an empty JSON
  // body is read as "no body" in this scope only (Fastify's parser rejects it everywhere else).
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = String(body);
      if (!text.trim()) return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    scope.delete('/me/delete-account', deleteOpts, remove);
    scope.delete('/api/users/delete-account', deleteOpts, remove);
  });

  app.post(
    '/me/delete-account/code',
    {
      schema: {
        tags: ['account'],
        summary: 'E-mail a one-time code that confirms DELETE /me/delete-account (3 an hour)',
        security: bearerSecurity,
        response: { 200: CodeSent, ...errorResponses(401, 429) },
      },
      config: perUser(10, 60),
    },
    async (req) => {
      const user = await requireUser(ctx, req);
      const { expiresInSeconds } = await sendDeleteCode(ctx, user.id);
      return {
        ok: true,
        success: true,
        message: 'A confirmation code is on its way to your e-mail address.',
        expires_in_seconds: expiresInSeconds,
      };
    },
  );

  app.post(
    '/me/export',
    {
      schema: {
        tags: ['account'],
        summary: 'Export everything the account owns (JSON and its own files) as a ZIP behind a link that expires',
        security: bearerSecurity,
        response: { 200: ExportReply, ...errorResponses(401, 404, 429) },
      },
      config: perUser(10, 60),
    },
    async (req) => ({ ok: true, success: true, ...(await createExport(ctx, (await requireUser(ctx, req)).id)) }),
  );

  app.get(
    `${EXPORT_PATH}/:token`,
    {
      schema: {
        tags: ['account'],
        summary: 'Download an export archive (the link from POST /me/export)',
        params: Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' }) }),
        response: errorResponses(400, 404, 410, 416, 429),
      },
      config: perIp(30, 60),
    },
    async (req, reply) => {
      const row = await findExportForDownload(ctx, req.params.token);
      return sendObject(
        reply,
        req.headers.range,
        (range) => ctx.storage.get(row.object_key, range),
        () => notFound('This export is no longer stored. Export your data again from your account.', 'export_not_found'),
        { downloadName: 'quickchat-export.zip', contentType: 'application/zip' },
      );
    },
  );

  app.post(
    '/api/askers/erasure/request',
    {
      schema: {
        tags: ['account'],
        summary: 'Asker erasure, step 1: e-mail a code to the address the questions were asked with (same answer for any address)',
        body: Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false }),
        response: { 200: CodeSent, ...errorResponses(400, 429) },
      },
      config: perIp(10, 60),
    },
    async (req) => {
      const { expiresInSeconds } = await requestAskerErasure(ctx, req.body.email);
      return {
        ok: true,
        success: true,
        message: 'If this address can receive e-mail, a confirmation code is on its way. It expires in 15 minutes.',
        expires_in_seconds: expiresInSeconds,
      };
    },
  );

  app.post(
    '/api/askers/erasure/confirm',
    {
      schema: {
        tags: ['account'],
        summary: 'Asker erasure, step 2: with the e-mailed code, erase every question’s personal data tied to the address',
        headers: IdempotencyHeaders,
        body: Type.Object(
          { email: Type.String({ maxLength: 320 }), code: Type.String({ maxLength: 12 }) },
          { additionalProperties: false },
        ),
        response: { 200: Receipt, ...errorResponses(400, 410, 429) },
      },
      config: perIp(20, 15),
    },
    async (req) => {
      const key = req.headers['idempotency-key'];
      const r = await confirmAskerErasure(ctx, { ...req.body, idempotencyKey: typeof key === 'string' ? key : null });
      return {
        ok: true,
        success: true,
        ...r,
        message: 'The personal data of your questions was erased. A confirmation e-mail is on its way.',
      };
    },
  );
}
