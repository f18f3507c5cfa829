import { describe, expect, it } from 'vitest';
import { raceLock } from '../lock-race.ts';
import { recordFigure } from './report.ts';

const ROUNDS = 5;

describe('DATA_DIR lock under concurrent starts', () => {
  for (const fixture of ['none', 'stale', 'reused-pid'] as const) {
    it(`${ROUNDS} rounds of 20 concurrent starts (${fixture} lock before): exactly one holder each round`, async () => {
      const holders: number[] = [];
      for (let i = 0; i < ROUNDS; i++) holders.push((await raceLock(20, fixture)).holders);
      recordFigure('lock', `rounds without exactly one holder (${fixture} lock)`, holders.filter((h) => h !== 1).length, `of ${ROUNDS}`);
      expect(holders).toEqual(holders.map(() => 1));
    });
  }
});
