import type { FastifyRequest } from 'fastify';
import { requireUser } from '../auth/guard.ts';
import { sessionOrIpKey } from '../auth/rate-key.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { bearerToken } from '../http/bearer.ts';
import { acceptEmptyJson } from '../http/empty-json.ts';
import { sendObject } from '../media/serve.ts';
import { installErasedMediaGuard } from '../privacy/media-guard.ts';
import { emptyBodyAsObject } from '../questions/shapes.ts';
import { confirmAskerErasure, requestAskerErasure } from './asker.ts';
import { createExport, EXPORT_PATH, findExportForDownload } from './export.ts';
import {
  deleteAccountSchema,
  deleteCodeSchema,
  erasureConfirmSchema,
  erasureRequestSchema,
  exportDownloadSchema,
  exportSchema,
} from './schemas.ts';
import { deleteAccount, sendDeleteCode } from './service.ts';

/** Limits of the public routes: per client IP. */
const perIp = (max: number, minutes: number) => ({ rateLimit: { max, timeWindow: minutes * 60_000 } });

/** Account deletion, data export and asker erasure (privacy-cleanup-security.md, account deletion 1–9). */
export function accountRoutes(app: App, ctx: AppContext): void {
  installErasedMediaGuard(app, ctx);
  /** Limits of the signed-in routes: per account (whatever the network), per IP without a valid session. */
  const perUser = (max: number, minutes: number) => ({
    rateLimit: { max, timeWindow: minutes * 60_000, keyGenerator: sessionOrIpKey(ctx) },
  });

  const remove = async (req: FastifyRequest<{ Body: { code?: string } }>) => {
    const key = req.headers['idempotency-key'];
    const r = await deleteAccount(ctx, {
      token: bearerToken(req),
      idempotencyKey: typeof key === 'string' ? key : null,
      code: req.body?.code?.trim() ?? null,
    });
    return { ok: true, success: true, ...r, message: 'Your account and its data were deleted. A confirmation e-mail is on its way.' };
  };
  const deleteOpts = { schema: deleteAccountSchema, preValidation: emptyBodyAsObject, config: perUser(30, 15) };
  // The legacy client sends `Content-Type: application/json` with no body at all: an empty JSON
  // body is read as "no body" in this scope only (Fastify's parser rejects it everywhere else).
  app.register(async (scope) => {
    acceptEmptyJson(scope);
    scope.delete('/me/delete-account', deleteOpts, remove);
    scope.delete('/api/users/delete-account', deleteOpts, remove);
  });

  app.post(
    '/me/delete-account/code',
    {
      schema: deleteCodeSchema,
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
      schema: exportSchema,
      config: perUser(10, 60),
    },
    async (req) => ({ ok: true, success: true, ...(await createExport(ctx, (await requireUser(ctx, req)).id)) }),
  );

  app.get(
    `${EXPORT_PATH}/:token`,
    {
      schema: exportDownloadSchema,
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
      schema: erasureRequestSchema,
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
      schema: erasureConfirmSchema,
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
