import type { LegacyRow } from './types.ts';

export interface SourcePage {
  rows: LegacyRow[];
  /** 1-based page number in this listing. */
  page: number;
  /** Rows the listing holds in all (Xano's itemsTotal). */
  total: number;
}

export interface PageOptions {
  fromPage: number;
  perPage: number;
  /** Only rows any of whose `changeColumns` is at or after this time (delta sync). */
  since: Date | null;
  changeColumns: string[];
}

/** Where legacy rows come from: the Xano Metadata API, CSV exports, or the admin app's PostgreSQL. */
export interface Source {
  /** Names this source in import_run, so cursors of different sources never mix. */
  key: string;
  /** Legacy table names this source holds. */
  tables(): Promise<string[]>;
  /** Pages of one table in id order, from `fromPage` on; never the whole table at once. */
  pages(table: string, opts: PageOptions): AsyncGenerator<SourcePage>;
  close?(): Promise<void>;
}

export class SourceError extends Error {}
