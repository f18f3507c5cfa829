#!/usr/bin/env -S node --max-semi-space-size=16
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`error: Node ${process.versions.node} is too old; run through npm (npm run cli -- …) to use the pinned Node 24.`);
  process.exit(1);
}
(await import('node:module')).enableCompileCache?.();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
