import { type TProperties, Type } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../http/schemas.ts';

/**
 * The console's response envelope (legacy `admin/api/_lib/respond.js`): success is
 * `{success: true, …data, timestamp}`; errors stay our `{error, message, code}`, whose `error` the
 * console shows in its toasts.
 */
export const Ok = <P extends TProperties>(props: P) => Type.Object({ ...props, success: Type.Boolean(), timestamp: Type.String() });

export const ok = <T extends object>(now: Date, data: T) => ({ success: true, ...data, timestamp: now.toISOString() });

export const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody };

/** Legacy ids were uuids: the console treats every id as a string (it slices admin ids). */
export const Id = Type.String();
export const Iso = Type.String({ description: 'ISO 8601 time' });
export const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** Our ids are positive integers; the console sends them back as strings. */
export const IdParam = Type.String({ pattern: '^[1-9][0-9]{0,17}$' });
