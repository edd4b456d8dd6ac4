// The built packages and the undici they use. Node 20 cannot import TypeScript, so the bench
// imports dist/ by path: run `pnpm bench` (which builds first) or build before running it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, sleep } from './measure.mjs';
import { ROOT } from './params.mjs';

/**
 * Imports a built file, waiting while a concurrent rebuild (tsup cleans dist/ first) hides one
 * of its modules. Each retry uses a new URL so a failed attempt is not reused.
 */
async function importBuilt(path, attempts = 6) {
  for (let i = 1; ; i++) {
    try {
      return await import(`${pathToFileURL(path).href}${i === 1 ? '' : `?retry=${i}`}`);
    } catch (err) {
      if (err?.code !== 'ERR_MODULE_NOT_FOUND' || i === attempts) throw err;
      log(`  ${err.message.split('\n')[0]}: a package is being rebuilt, retrying in 10 s`);
      await sleep(10_000);
    }
  }
}

export const { DockerHubClient, DockerHubConfig } = await importBuilt(
  join(ROOT, 'packages/services/dist/index.js'),
);
// The same undici instance as the client's, so bare requests and the client differ only in
// the client's own work.
export const { request, Agent, getGlobalDispatcher } = await importBuilt(
  join(ROOT, 'packages/services/node_modules/undici/index.js'),
);
