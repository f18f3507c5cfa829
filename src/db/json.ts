/** jsonb parameters are sent as JSON text: pg and PGlite both pass strings through unchanged. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}
