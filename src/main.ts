import { runCli } from './cli/main.ts';

// `npm start` = `quickchat serve`: one code path for the server, whichever way it is started.
process.exitCode = await runCli(['serve', ...process.argv.slice(2)]);
