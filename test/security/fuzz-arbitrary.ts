/**
 * fast-check arbitraries from the OpenAPI schemas of an operation: values the schema accepts, and
 * values it must refuse (wrong types, missing required fields, unknown fields, out-of-range
 * numbers, over-long strings, junk). Validity is decided afterwards by `validatorOf`, with the same
 * Ajv options as the server, so a generated request is classified exactly.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';

type Schema = Record<string, unknown>;
const MAX_STRING = 40;

/** The server's request validation: type coercion, defaults, unknown fields refused (not removed). */
const ajv = new Ajv({ strict: false, coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false });
addFormats.default(ajv);
const cache = new WeakMap<object, ValidateFunction>();
export function validatorOf(schema: Schema): ValidateFunction {
  let v = cache.get(schema);
  if (!v) {
    v = ajv.compile(denullable(schema) as Schema);
    cache.set(schema, v);
  }
  return v;
}

/**
 * The OpenAPI document writes `T | null` as `nullable: true`; the routes declare it as anyOf(T, null),
 * under which coercion turns 0 or false into null (legacy "not rated"). Validate with the routes' form.
 */
function denullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(denullable);
  if (!schema || typeof schema !== 'object') return schema;
  const { nullable, ...rest } = schema as Schema;
  const out = Object.fromEntries(
    Object.entries(rest).map(([k, v]) => [
      k,
      k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, x]) => [p, denullable(x)])) : denullable(v),
    ]),
  );
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

const junk = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', 'null', 'true', '1e309', 'NaN', '../../etc/passwd', '%00', '<script>', "' OR 1=1 --", '💥'),
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 31), 1e308, true, false, null),
  fc.constant([]),
  fc.constant({}),
  fc.string({ maxLength: 8 }),
);

function typed(schema: Schema, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1_000_000;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
      if (type === 'integer') return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) });
      return fc.double({ min, max: Math.max(min, max), noNaN: true, noDefaultInfinity: true });
    }
    case 'string': {
      if (typeof schema.format === 'string' && schema.format === 'uuid') return fc.uuid();
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const maxLength = Math.max(minLength, Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : MAX_STRING, MAX_STRING));
      if (typeof schema.pattern === 'string') {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length >= minLength && s.length <= ((schema.maxLength as number | undefined) ?? 1e9));
      }
      return fc.string({ minLength, maxLength });
    }
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {};
      return fc.array(arbitraryOf(items, depth + 1), { maxLength: Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 3, 3) });
    }
    case 'object': {
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      if (!Object.keys(props).length || depth > 3)
        return fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const required = (schema.required as string[] | undefined) ?? [];
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryOf(v, depth + 1)]));
      return fc.record(model, { requiredKeys: required.filter((k) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values the schema describes (mostly valid). */
export function arbitraryOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => arbitraryOf(s, depth)));
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (!types.length) return schema.properties ? typed(schema, 'object', depth) : fc.jsonValue({ maxDepth: 2 });
  const arbs = types.map((t) => typed(schema, t, depth));
  if (schema.nullable === true) arbs.push(fc.constant(null));
  return arbs.length === 1 ? (arbs[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbs);
}

/** Valid values, or one of the ways a client gets them wrong. */
export function requestValueOf(schema: Schema): fc.Arbitrary<unknown> {
  const valid = arbitraryOf(schema);
  const props = Object.keys((schema.properties as object | undefined) ?? {});
  const broken: fc.Arbitrary<unknown>[] = [junk, fc.jsonValue({ maxDepth: 3 })];
  if (props.length) {
    broken.push(
      // a field with a wrong value
      fc.tuple(valid, fc.constantFrom(...props), junk).map(([v, k, bad]) => ({ ...(v as object), [k]: bad })),
      // a required field missing
      fc.tuple(valid, fc.constantFrom(...props)).map(([v, k]) => {
        const copy = { ...(v as Record<string, unknown>) };
        delete copy[k];
        return copy;
      }),
      // an unknown field, including the ones a client may not set
      fc
        .tuple(
          valid,
          fc.constantFrom('status', 'user_id', 'expert_profile_id', 'price_cents', 'role', 'is_admin', 'id', 'constructor', 'x'),
          junk,
        )
        .map(([v, k, x]) => ({ ...(v as object), [k]: x })),
      // an over-long string
      fc.tuple(valid, fc.constantFrom(...props)).map(([v, k]) => ({ ...(v as object), [k]: 'x'.repeat(70_000) })),
    );
  }
  return fc.oneof({ weight: 3, arbitrary: valid }, ...broken.map((arbitrary) => ({ weight: 1, arbitrary })));
}
