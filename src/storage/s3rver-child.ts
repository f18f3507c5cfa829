// A local S3-compatible server for the S3 adapter's tests, run in a child process: s3rver signs
// its list continuation tokens with DES, which needs OpenSSL's legacy provider
// (node --openssl-legacy-provider), a flag we do not want in the test workers themselves.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory,
  configureBuckets: [{ name: bucket ?? 'test-bucket' }],
});
const info = (await server.run()) as { port: number };
process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
