/** The same server with another database name (the URL's path). */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Where CREATE/DROP DATABASE run: the URL's own database (e.g. `test`). */
export function adminUrl(url: string): string {
  return url;
}
