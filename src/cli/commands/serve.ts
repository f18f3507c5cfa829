import { startServer } from '../../server.ts';
import type { Command } from '../command.ts';

export const serve: Command = {
  name: 'serve',
  summary:
    'Start the HTTP server: applies pending migrations (unless MIGRATE_ON_START=false), then listens on HOST:PORT. ' +
    'SIGTERM or SIGINT stops it gracefully: no new connections, in-flight requests finish, the database closes.',
  async run({ config }) {
    // Listening for signals before start-up: a SIGTERM while the workers start (the server already
    // answers) must stop it gracefully once started, not kill it with the DATA_DIR lock held.
    let signalled: NodeJS.Signals | null = null;
    let wake = () => {};
    const onSignal = (signal: NodeJS.Signals) => {
      signalled = signal;
      wake();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      const server = await startServer(config());
      if (!signalled) await new Promise<void>((resolve) => (wake = resolve));
      await server.stop(signalled ?? 'SIGTERM').catch((err) => console.error(`error: shutdown failed: ${(err as Error).message}`));
      return 0;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};
