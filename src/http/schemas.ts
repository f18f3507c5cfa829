/**
 * The schema kit every route shares: the error body, the error responses of a route, the two
 * ways to allow `null`, and the media-asset shape. Response schemas are allow-lists, so a field
 * the error handler may add (`retryAfter` on a 429, `attemptsLeft` on a wrong code) must be
 * listed or it is dropped.
 */
import { type Static, type TSchema, Type } from '@fastify/type-provider-typebox';

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  code: Type.String({ description: 'A stable code: one of components.schemas.ErrorCode (status and meaning in x-error-codes).' }),
  retryAfter: Type.Optional(Type.Number()),
  attemptsLeft: Type.Optional(Type.Integer()),
});

/** Error schemas for the statuses a route can answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

/**
 * `T | null` as a JSON-schema type list, not anyOf: the app's Ajv coerces types, and in an anyOf
 * it would turn a null into 0 or "" through the first branch before trying the null one.
 */
export const Nullable = <T extends TSchema>(t: T) => {
  const type = (t as { type?: unknown }).type;
  if (typeof type !== 'string') throw new Error('Nullable() takes a schema with a single type');
  return Type.Unsafe<Static<T> | null>({ ...t, type: [type, 'null'] });
};

/**
 * `T | null` as anyOf, for a schema without a single type (a union). In a request body prefer
 * `Nullable`: see its comment. The older schemas that still use this for scalars keep it so
 * that their validation does not change silently.
 */
export const NullableUnion = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * A media asset as every legacy route shows it (upload, answer, review, internal). `metadata` is
 * whatever JSON the asset carries: an object for recordings, but legacy rows may hold others.
 */
export const MediaAsset = Type.Object({
  id: Type.Integer(),
  provider: Type.String(),
  asset_id: Type.String(),
  url: Nullable(Type.String()),
  duration_sec: Nullable(Type.Number()),
  status: Type.String(),
  metadata: Type.Unknown(),
  segment_index: Nullable(Type.Integer()),
  created_at: Type.Number(),
});
