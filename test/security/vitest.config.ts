import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.ts';

/** `npm run test:security`: the security suite only, with its report (route × matrix, curl reproductions). */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...base.test,
    include: ['test/security/**/*.test.ts'],
    reporters: ['default', './test/security/reporter.ts'],
  },
});
