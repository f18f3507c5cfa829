/**
 * A local Google/LinkedIn stand-in for trying OAuth sign-in without provider accounts (see the
 * README's API walkthrough): `npx node scripts/oauth-stub.ts` prints the variables to start the
 * server with. Its authorize page approves at once; `login_hint=<email>` picks the user.
 */
import { startOAuthStub, stubEnv } from '../test/oauth-stub.ts';

const port = Number(process.env.STUB_PORT ?? 4455);
const stub = await startOAuthStub('stub-client', 'stub-secret', port);
const env = { ...stubEnv(stub, 'GOOGLE'), ...stubEnv(stub, 'LINKEDIN') };
console.log(`OAuth stub listening on ${stub.url}. Start the server with:\n`);
console.log(
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' \\\n'),
);
process.once('SIGINT', () => void stub.close());
process.once('SIGTERM', () => void stub.close());
