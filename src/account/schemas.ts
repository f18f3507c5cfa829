import { Type } from '@fastify/type-provider-typebox';
import { bearerSecurity } from '../auth/guard.ts';
import { errorResponses } from '../http/schemas.ts';

/** Request and response schemas of the account routes (allow-lists: only these fields are sent). */

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

export const deleteAccountSchema = {
  tags: ['account'],
  summary:
    'Delete the account and everything it owns, in one transaction. Needs a fresh proof: a sign-in within the last minutes, or the e-mailed code.',
  security: bearerSecurity,
  headers: IdempotencyHeaders,
  body: DeleteBody,
  response: { 200: Receipt, ...errorResponses(400, 401, 403, 410, 429) },
};

export const deleteCodeSchema = {
  tags: ['account'],
  summary: 'E-mail a one-time code that confirms DELETE /me/delete-account (3 an hour)',
  security: bearerSecurity,
  response: { 200: CodeSent, ...errorResponses(401, 429) },
};

export const exportSchema = {
  tags: ['account'],
  summary: 'Export everything the account owns (JSON and its own files) as a ZIP behind a link that expires',
  security: bearerSecurity,
  response: { 200: ExportReply, ...errorResponses(401, 404, 429) },
};

export const exportDownloadSchema = {
  tags: ['account'],
  summary: 'Download an export archive (the link from POST /me/export)',
  params: Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' }) }),
  response: errorResponses(400, 404, 410, 416, 429),
};

export const erasureRequestSchema = {
  tags: ['account'],
  summary: 'Asker erasure, step 1: e-mail a code to the address the questions were asked with (same answer for any address)',
  body: Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false }),
  response: { 200: CodeSent, ...errorResponses(400, 429) },
};

export const erasureConfirmSchema = {
  tags: ['account'],
  summary: 'Asker erasure, step 2: with the e-mailed code, erase every question’s personal data tied to the address',
  headers: IdempotencyHeaders,
  body: Type.Object({ email: Type.String({ maxLength: 320 }), code: Type.String({ maxLength: 12 }) }, { additionalProperties: false }),
  response: { 200: Receipt, ...errorResponses(400, 410, 429) },
};
