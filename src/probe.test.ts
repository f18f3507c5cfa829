import { it } from 'vitest';
import { createTestApp } from '../test/app.ts';

it('probe', async () => {
  const t = await createTestApp();
  for (const url of ['/api/media/download-video?url=a%00b', '/api/media/download-video?url=x']) {
    const r = await t.app.inject({ method: 'GET', url });
    console.log(url, r.statusCode, r.body.slice(0, 300));
  }
  await t.close();
});
