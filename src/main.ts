import { enableCompileCache } from 'node:module';

// Start-up is mostly module loading (TypeScript stripping and compiling ~300 modules): V8's
// compile cache roughly halves it on every start after the first, e.g. a restart after a crash.
enableCompileCache();
const { runCli } = await import('./cli/main.ts');

// `npm start` = `quickchat serve`: one code path for the server, whichever way it is started.
process.exitCode = await runCli(['serve', ...process.argv.slice(2)]);
