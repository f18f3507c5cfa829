import type { Direction, StepKind } from './journal.ts';

/** What the engine reports while it runs: the CLI renders these; tests hook step boundaries. */
export type EngineEvent =
  | { type: 'waiting'; reason: string }
  | {
      type: 'step';
      phase: 'start' | 'done' | 'skip';
      migration: string;
      direction: Direction;
      step: number;
      steps: number;
      kind: StepKind;
      label: string;
    }
  | { type: 'lock-retry'; migration: string; what: string; attempt: number; delayMs: number; error: string }
  | { type: 'statement'; migration: string; file: string; index: number; sql: string }
  | { type: 'backup'; migration: string; id: number; table: string; rows: number }
  | { type: 'skipped'; migration: string; statement: number; reason: string }
  | {
      type: 'backfill';
      migration: string;
      table: string;
      scanned: number;
      updated: number;
      total: number;
      rowsPerSec: number;
      etaMs: number | null;
      batchMs: number;
      batchSize: number;
      done: boolean;
    };
