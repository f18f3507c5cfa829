/**
 * The vocabulary of the access policy table (policy.ts): who may call a route, which request field
 * names an owned object, and what each identity gets for each kind of object.
 */
import type { Person, World } from './world.ts';

/**
 * - public: anyone; an Authorization header is ignored.
 * - optional_user: anyone; a valid session only records who called, a bad one counts as anonymous (never 401:
 *   the legacy client logs out on 401).
 * - user: a main session; the route reads or writes the caller's own data only.
 * - expert: a main session of the expert who owns the object the request names.
 * - admin / super_admin: an admin session (cookie admin_session, or Bearer admin token).
 * - admin_login: a main session of an enabled admin, exchanged for an admin session.
 * - review_token: the asker's secret review token in the path.
 * - export_token: the secret token of an export download link.
 * - signed_url: an upload URL this server signed (local storage / video stand-ins).
 * - internal_key: INTERNAL_API_KEY as x_api_key, in the body or the query.
 * - stripe_signature: a Stripe-signed webhook.
 */
export type Access =
  | 'public'
  | 'optional_user'
  | 'user'
  | 'expert'
  | 'admin'
  | 'super_admin'
  | 'admin_login'
  | 'review_token'
  | 'export_token'
  | 'signed_url'
  | 'internal_key'
  | 'stripe_signature';

/** Kinds of objects a request can name. */
export type ObjectKind = 'question' | 'media' | 'campaign' | 'review' | 'export' | 'feedback' | 'flag';

/** The state a fresh object must be in for the rightful caller's request to succeed. */
export type ObjectState = 'any' | 'qc_paid' | 'dd_pending' | 'answered' | 'unattached';

export interface ObjectRef {
  in: 'params' | 'query' | 'body';
  field: string;
  kind: ObjectKind;
  state: ObjectState;
}

/** Who calls: the owner expert, another expert, a signed-in user without a profile, an admin, nobody. */
export type Identity = 'owner' | 'other' | 'plain' | 'admin' | 'anonymous';
/** Which object the request names, seen from the owner: theirs, another expert's, erased, never existed, not an id. */
export type ObjectCase = 'own' | 'foreign' | 'deleted' | 'missing' | 'malformed';
export type Cell = `${Identity}:${ObjectCase}` | Identity;

export interface Req {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
  remoteAddress?: string;
}

/** What a request builder gets: the world, the object reference and its owner, a unique number. */
export interface BuildCtx {
  w: World;
  ref: string | number | undefined;
  /** user id of the object's owner (the legacy body `user_id` sends it). */
  ownerUserId: number;
  /** Who sends the request (null: nobody signed in). */
  caller: Person | null;
  n: number;
}

export interface Limit {
  /** The rate-limited class the route belongs to. */
  class: string;
  max: number;
  /**
   * ip: keyed by client IP; user: by session (route limiter), whatever the IP; account: a per-account
   * count in the database; email: a per-address count in the database (the body's `email`).
   */
  per: 'ip' | 'user' | 'account' | 'email';
  /** A request that counts against the limit (default: the route's sample as the owner). */
  as?: Identity;
}

export interface RouteEntry {
  access: Access;
  /** Why the route is absent from /docs/json; routes without it must be documented. */
  hidden?: string;
  /** The documented route a hidden legacy path shares its handler and schemas with. */
  alias?: string;
  /** Why the property checks do not apply to this route's responses. */
  noInspect?: string;
  object?: ObjectRef;
  /** The whole path and query of the sample request, when it is not built from the route (signed URLs). */
  url?: (c: BuildCtx) => Promise<string>;
  /** Query string of the sample request (the object field is added). */
  query?: (c: BuildCtx) => Record<string, string | number | boolean> | Promise<Record<string, string | number | boolean>>;
  /** JSON body of the sample request (the object field is added); `raw` sends bytes instead. */
  body?: (c: BuildCtx) => unknown | Promise<unknown>;
  raw?: (
    c: BuildCtx,
  ) => Promise<{ payload: Buffer; headers: Record<string, string> }> | { payload: Buffer; headers: Record<string, string> };
  /** Path parameters other than the object (e.g. a tag). */
  params?: (c: BuildCtx) => Record<string, string | number> | Promise<Record<string, string | number>>;
  /** Status of the sample request for the rightful caller. */
  ok: number | number[];
  /** Outcomes that differ from the defaults of the access class. */
  outcomes?: Partial<Record<Cell, number[]>>;
  /** Outcomes of the authentication matrix's token variants that differ from 401 (documented exceptions). */
  authn?: Record<string, number[]>;
  /** Fields a caller may not set, with a value to try: the write is rejected or ignored and the row stays as it was. */
  forbidden?: Record<string, unknown>;
  /** Response keys this route may return although the audience's deny list has them (the caller's own secret). */
  exposes?: string[];
  limit?: Limit | Limit[];
  /** The route follows URLs given in the query: the outbound checks run on it. */
  outbound?: boolean;
  /** The route's own body limit, when it differs from BODY_LIMIT_BYTES (config key). */
  bodyLimit?: 'none' | 'maxVideoBase64' | 'maxAudioBytes' | 'maxAttachmentBytes' | 'multipart';
  /** A side effect that changes the caller (logout, profile creation): the matrices give it its own users. */
  changesCaller?: boolean;
  /** Legacy tolerance the fuzzer must not count as accepting an invalid payload: a JSON null body read as {}. */
  nullBodyIsEmpty?: string;
}
