import { Type } from '@fastify/type-provider-typebox';
import { NullableUnion as Nullable } from '../http/schemas.ts';
import type { UserRow } from './service.ts';

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
