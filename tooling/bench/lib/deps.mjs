// The built packages and the undici they use. Node 20 cannot import TypeScript, so the bench
// imports dist/ by path: run `pnpm bench` (which builds first) or build before running it.
import { join } from 'node:path';
import { ROOT } from './params.mjs';

export const { DockerHubClient, DockerHubConfig } = await import(
  join(ROOT, 'packages/services/dist/index.js')
);
// The same undici instance as the client's, so bare requests and the client differ only in
// the client's own work.
export const { request, Agent, getGlobalDispatcher } = await import(
  join(ROOT, 'packages/services/node_modules/undici/index.js')
);
