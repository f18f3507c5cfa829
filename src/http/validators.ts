import { AjvCompiler } from '@fastify/ajv-compiler';

type Factory = ReturnType<typeof AjvCompiler>;
type AjvOptions = Exclude<Parameters<Factory>[1], undefined> & { mode?: never };

/**
 * Two Ajv pools behind one factory: query strings, path parameters and headers are text, so they
 * are coerced to the declared types; JSON bodies are not (`"7500"`, `[7500]` and `true` are not
 * the number 7500). A route whose client is known to send a number as a string says so in its
 * schema (a union with a string pattern), not through a global coercion.
 */
export function buildValidators(): Factory {
  const pool = AjvCompiler();
  return (externalSchemas, options) => {
    const given = (options ?? {}) as AjvOptions;
    const withCoercion = (coerceTypes: 'array' | false): AjvOptions => ({
      ...given,
      customOptions: { ...given.customOptions, coerceTypes },
    });
    const coercing = pool(externalSchemas, withCoercion('array'));
    const strict = pool(externalSchemas, withCoercion(false));
    return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
  };
}
