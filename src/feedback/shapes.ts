import type { FeedbackTable } from '../db/schema.ts';

/** The operator API sends times as epoch milliseconds, like the rest of the legacy surface. */

type Row = { [K in keyof FeedbackTable]: unknown } & {
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  deleted_at: Date | null;
};
const ms = (d: Date | null) => (d ? d.getTime() : null);

export const feedbackOut = <R extends Row>(r: R) => ({
  ...r,
  created_at: r.created_at.getTime(),
  updated_at: r.updated_at.getTime(),
  resolved_at: ms(r.resolved_at),
  deleted_at: ms(r.deleted_at),
});

export const commentOut = (c: { id: number; admin_user_id: number | null; body: string; created_at: Date }) => ({
  ...c,
  created_at: c.created_at.getTime(),
});
