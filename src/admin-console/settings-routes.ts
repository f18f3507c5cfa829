import { Type } from '@fastify/type-provider-typebox';
import { requireAdmin } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { Errors, Id, Iso, Ok, ok } from './kit.ts';
import { consoleHealth, readNotificationConfig, sendTestNotification, updateNotificationConfig } from './settings-service.ts';

const Config = Type.Object({
  id: Id,
  alert_emails: Type.Array(Type.String()),
  sla_threshold: Type.Integer(),
  moderation_threshold: Type.Integer(),
  updated_at: Iso,
});
const configOut = (c: { id: number; alert_emails: string[]; sla_threshold: number; moderation_threshold: number; updated_at: Date }) => ({
  ...c,
  id: String(c.id),
  updated_at: c.updated_at.toISOString(),
});
const Check = Type.Object({ status: Type.String(), message: Type.String(), response_time_ms: Type.Integer() });

export function consoleSettingsRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/notifications',
    { schema: { summary: 'Notification settings', response: { 200: Ok({ config: Config }), ...Errors } } },
    async (req) => {
      await requireAdmin(ctx, req);
      return ok(ctx.now(), { config: configOut(await readNotificationConfig(ctx)) });
    },
  );

  app.patch(
    '/api/notifications',
    {
      schema: {
        summary: 'Change notification settings (the console sends the whole object; unknown fields are ignored)',
        body: Type.Object({
          alert_emails: Type.Optional(
            Type.Union([Type.String({ maxLength: 5000 }), Type.Array(Type.String({ maxLength: 254 }), { maxItems: 50 })]),
          ),
          sla_threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          moderation_threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
        }),
        response: { 200: Ok({ config: Config, message: Type.String() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const { config, changed } = await updateNotificationConfig(ctx, caller, req.body);
      return ok(ctx.now(), { config: configOut(config), message: changed ? 'Notification settings saved.' : 'No change.' });
    },
  );

  app.post(
    '/api/notifications/test',
    {
      schema: {
        summary: 'Send a test alert to every alert address',
        response: { 200: Ok({ message: Type.String(), recipients: Type.Array(Type.String()), note: Type.String() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const recipients = await sendTestNotification(ctx, caller);
      return ok(ctx.now(), {
        message: `Test alert sent to ${recipients.length} address(es).`,
        recipients,
        note: 'Delivered by the server’s mailer within a minute.',
      });
    },
  );

  app.get(
    '/api/health',
    {
      schema: {
        summary: 'System health for the console’s settings page (no configuration details)',
        response: {
          200: Ok({
            database: Check,
            xano: Check,
            environment: Type.Object({ status: Type.String(), message: Type.String() }),
            overall_status: Type.String(),
            healthy: Type.Boolean(),
          }),
          ...Errors,
        },
      },
    },
    async (req) => {
      await requireAdmin(ctx, req);
      return ok(ctx.now(), await consoleHealth(ctx));
    },
  );
}
