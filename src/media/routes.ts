import multipart from '@fastify/multipart';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { assetRoutes } from './asset-routes.ts';
import { downloadRoutes } from './download-routes.ts';
import { localRoutes } from './local-routes.ts';
import { uploadRoutes } from './upload-routes.ts';

/** Uploads, media assets, downloads and the local storage/video stand-ins. */
export async function mediaRoutes(app: App, ctx: AppContext): Promise<void> {
  // Multipart parsing only inside this scope: no other route accepts multipart bodies.
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 } });
    await uploadRoutes(scope, ctx);
    await localRoutes(scope, ctx);
  });
  assetRoutes(app, ctx);
  downloadRoutes(app, ctx);
}
