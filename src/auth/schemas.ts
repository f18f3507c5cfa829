import { type TSchema, Type } from '@fastify/type-provider-typebox';
import type { UserRow } from './service.ts';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * The error body of every route, with the extra fields some routes add. Listed here because a
 * response schema is an allow-list: an unlisted `retryAfter` would be dropped from a 429.
 */
export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  code: Type.String(),
  retryAfter: Type.Optional(Type.Integer()),
  attemptsLeft: Type.Optional(Type.Integer()),
});

export const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorBody]));

/** The signed-in user's own account, as `/auth/me` and `/me/profile` show it. No secrets, no provider payloads. */
export const SelfUser = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  fname: Nullable(Type.String()),
  lname: Nullable(Type.String()),
  address: Nullable(Type.String()),
  city: Nullable(Type.String()),
  zip: Nullable(Type.String()),
  country: Nullable(Type.String()),
  auth_provider: Type.String(),
  created_at: Type.Number({ description: 'epoch milliseconds' }),
});

export function toSelfUser(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    fname: u.fname,
    lname: u.lname,
    address: u.address,
    city: u.city,
    zip: u.zip,
    country: u.country,
    auth_provider: u.auth_provider,
    created_at: u.created_at.getTime(),
  };
}
