import { Type } from '@fastify/type-provider-typebox';
import { NullableUnion as Nullable } from '../http/schemas.ts';

/**
 * Request fields that may be null. `type: [x, 'null']` rather than anyOf: with type coercion on,
 * anyOf would turn null into 0, "" or false before the null branch is tried.
 */
function orNull<T>(type: 'string' | 'number' | 'integer' | 'boolean', opts: Record<string, unknown> = {}) {
  return Type.Optional(Type.Unsafe<T | null>({ type: [type, 'null'], ...opts }));
}
const cents = () => orNull<number>('number', { minimum: 0, maximum: 100_000_000 });
const hours = () => orNull<number>('number', { minimum: 1, maximum: 8760 });

/** Body of PUT /me/profile: the legacy settings form's full replace (cents may be floats: rounded). */
export const ProfileBody = Type.Object(
  {
    handle: Type.String({ maxLength: 100 }),
    bio: orNull<string>('string', { maxLength: 600 }),
    public: orNull<boolean>('boolean'),
    currency: Type.Optional(Type.Union([Type.Literal('USD'), Type.Literal('EUR'), Type.Null()])),
    price_cents: cents(),
    sla_hours: hours(),
    tier1_enabled: orNull<boolean>('boolean'),
    tier1_price_cents: cents(),
    tier1_sla_hours: hours(),
    tier1_description: orNull<string>('string', { maxLength: 1000 }),
    tier2_enabled: orNull<boolean>('boolean'),
    tier2_pricing_mode: orNull<string>('string', { maxLength: 30 }),
    tier2_min_price_cents: cents(),
    tier2_max_price_cents: cents(),
    tier2_sla_hours: hours(),
    tier2_auto_decline_below_cents: cents(),
    tier2_description: orNull<string>('string', { maxLength: 1000 }),
    professional_title: orNull<string>('string', { maxLength: 120 }),
    tagline: orNull<string>('string', { maxLength: 200 }),
    expertise: Type.Optional(Type.Unknown({ description: 'array of strings (a JSON string of one is accepted)' })),
    socials: Type.Optional(Type.Unknown({ description: 'object of links (a JSON string of one is accepted)' })),
    charity_percentage: orNull<number>('number', { minimum: 0, maximum: 100 }),
    selected_charity: orNull<string>('string', { maxLength: 200 }),
    accepting_questions: orNull<boolean>('boolean'),
    daily_digest_enabled: orNull<boolean>('boolean'),
  },
  { additionalProperties: false },
);

export const AccountBody = Type.Object(
  {
    fname: orNull<string>('string', { maxLength: 100 }),
    lname: orNull<string>('string', { maxLength: 100 }),
    address: orNull<string>('string', { maxLength: 300 }),
    city: orNull<string>('string', { maxLength: 100 }),
    country: orNull<string>('string', { maxLength: 100 }),
    zip: orNull<string>('string', { maxLength: 20 }),
  },
  { additionalProperties: false },
);

export const AvailabilityBody = Type.Object({ accepting_questions: Type.Boolean() }, { additionalProperties: false });
export const PictureBody = Type.Object({ image_url: orNull<string>('string', { maxLength: 2048 }) }, { additionalProperties: false });

const QuickConsultShape = {
  enabled: Type.Boolean(),
  price_cents: Type.Integer(),
  sla_hours: Type.Integer(),
  description: Type.String(),
};
const DeepDiveShape = {
  enabled: Type.Boolean(),
  pricing_mode: Type.String(),
  min_price_cents: Type.Integer(),
  max_price_cents: Type.Integer(),
  auto_decline_below_cents: Nullable(Type.Integer()),
  sla_hours: Type.Integer(),
  description: Type.String(),
};
/** The expert's own tier settings (includes the private auto-decline threshold). */
export const PricingTiers = Type.Object({ quick_consult: Type.Object(QuickConsultShape), deep_dive: Type.Object(DeepDiveShape) });

export const PricingTiersBody = Type.Object(
  {
    quick_consult: Type.Optional(
      Type.Object(
        {
          enabled: orNull<boolean>('boolean'),
          price_cents: cents(),
          sla_hours: hours(),
          description: orNull<string>('string', { maxLength: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
    deep_dive: Type.Optional(
      Type.Object(
        {
          enabled: orNull<boolean>('boolean'),
          pricing_mode: orNull<string>('string', { maxLength: 30 }),
          min_price_cents: cents(),
          max_price_cents: cents(),
          auto_decline_below_cents: cents(),
          sla_hours: hours(),
          description: orNull<string>('string', { maxLength: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const tierFields = {
  tier1_enabled: Type.Boolean(),
  tier1_price_cents: Type.Integer(),
  tier1_sla_hours: Type.Integer(),
  tier1_description: Type.String(),
  tier2_enabled: Type.Boolean(),
  tier2_pricing_mode: Type.String(),
  tier2_min_price_cents: Type.Integer(),
  tier2_max_price_cents: Type.Integer(),
  tier2_sla_hours: Type.Integer(),
  tier2_description: Type.String(),
};

const profileFields = {
  id: Type.Integer(),
  handle: Type.String(),
  public: Type.Boolean(),
  accepting_questions: Type.Boolean(),
  professional_title: Nullable(Type.String()),
  tagline: Nullable(Type.String()),
  avatar_url: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  socials: Type.Unknown(),
  expertise: Type.Unknown(),
  charity_percentage: Type.Integer(),
  selected_charity: Nullable(Type.String()),
  price_cents: Type.Integer(),
  currency: Type.String(),
  sla_hours: Type.Integer(),
  ...tierFields,
};
/** Fields anyone may see on a public page. The allow-list: nothing else is serialised. */
const publicFields = { ...profileFields, name: Type.String({ description: "the expert's display name" }) };
export const PublicProfile = Type.Object(publicFields);

/** The owner's view of their expert profile (§2.15 of the client contract). */
export const OwnProfile = Type.Object({
  ...profileFields,
  handle: Nullable(Type.String()),
  user_id: Type.Integer(),
  status: Nullable(Type.String()),
  daily_digest_enabled: Type.Boolean(),
  tier2_auto_decline_below_cents: Nullable(Type.Integer()),
  created_at: Type.Number({ description: 'epoch milliseconds' }),
  updated_at: Type.Number({ description: 'epoch milliseconds' }),
});

export const PublicTiers = Type.Object({
  quick_consult: Nullable(Type.Object({ price_cents: Type.Integer(), sla_hours: Type.Integer(), description: Type.String() })),
  deep_dive: Nullable(
    Type.Object({
      pricing_mode: Type.String(),
      min_price_cents: Type.Integer(),
      max_price_cents: Type.Integer(),
      sla_hours: Type.Integer(),
      description: Type.String(),
    }),
  ),
});
