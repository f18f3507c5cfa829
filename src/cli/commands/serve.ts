import { startServer } from '../../server.ts';
import type { Command } from '../command.ts';

export const serve: Command = {
  name: 'serve',
  summary:
    'Start the HTTP server: applies pending migrations (unless MIGRATE_ON_START=false), then listens on HOST:PORT. ' +
    'SIGTERM or SIGINT stops it gracefully: no new connections, in-flight requests finish, the database closes.',
  async run({ config }) {
    const server = await startServer(config());
    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        server.stop(signal).then(resolve, (err) => {
          console.error(`error: shutdown failed: ${(err as Error).message}`);
          resolve();
        });
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
    return 0;
  },
};
