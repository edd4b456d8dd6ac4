// The real CNCF distribution registry for the benchmarks, with token auth, started through the
// same harness the test suites use (`tooling/registry/real-registry.ts`). Node 20 cannot import
// TypeScript, so the harness (node builtins only) is compiled once per run with tsup into a
// temporary directory. Credentials reach every client the way `docker login` leaves them: one
// `DOCKER_CONFIG` directory whose `config.json` gains each registry's host (the in-process
// client, `dhub` and `skopeo --authfile` all read it).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let harness;
let configDir;
/** host -> { tokenUrl, service, user } for bare requests. */
const registries = new Map();
/** `${host} ${repo}` -> bearer token. */
const tokens = new Map();

async function loadHarness() {
  if (harness !== undefined) return harness;
  const { build } = await import('tsup');
  const outDir = await mkdtemp(join(tmpdir(), 'bench-harness-'));
  await build({
    entry: { 'real-registry': join(ROOT, 'tooling/registry/real-registry.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    splitting: false,
    clean: false,
    silent: true,
    config: false,
    outExtension: () => ({ js: '.mjs' }),
  });
  harness = await import(pathToFileURL(join(outDir, 'real-registry.mjs')).href);
  await rm(outDir, { recursive: true, force: true });
  return harness;
}

/**
 * The `DOCKER_CONFIG` directory the benchmark's clients use (created on first call).
 * @returns {Promise<string>}
 */
export async function dockerConfigDir() {
  if (configDir === undefined) {
    configDir = await mkdtemp(join(tmpdir(), 'bench-docker-config-'));
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: {} }));
  }
  return configDir;
}

/**
 * Starts `docker-registry serve` on 127.0.0.1 with token auth (a loopback token service) and
 * adds the full-rights user's credentials for its host to the shared `DOCKER_CONFIG`; with
 * `auth: 'none'` it starts one that anyone may read and write, and adds no credentials.
 * @param {{ auth?: 'token' | 'none' }} [options]
 * @returns {Promise<{ url: string, host: string, tokenRequests: readonly object[], stop(): Promise<void> }>}
 */
export async function startRegistry({ auth = 'token' } = {}) {
  const { startRealRegistry } = await loadHarness();
  if (auth === 'none') {
    const open = await startRealRegistry({ auth: 'none' });
    return { url: open.url, host: open.host, tokenRequests: [], stop: () => open.stop() };
  }
  const reg = await startRealRegistry({ auth: 'token', tokenExpiresIn: 3600 });
  const user = reg.users.find((u) => u.name !== 'reader') ?? reg.users[0];
  const dir = await dockerConfigDir();
  const file = join(dir, 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8'));
  config.auths[reg.host] = {
    auth: Buffer.from(`${user.name}:${user.password}`).toString('base64'),
  };
  await writeFile(file, JSON.stringify(config));
  registries.set(reg.host, { tokenUrl: reg.tokenUrl, service: reg.service, user });
  return { url: reg.url, host: reg.host, tokenRequests: reg.tokenRequests, stop: () => reg.stop() };
}

/**
 * Gives `alias` (a proxy in front of the registry at `host`) that registry's credentials in the
 * shared `DOCKER_CONFIG`.
 * @param {string} alias
 * @param {string} host
 */
export async function aliasCredentials(alias, host) {
  const file = join(await dockerConfigDir(), 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8'));
  if (config.auths[host] !== undefined) config.auths[alias] = config.auths[host];
  await writeFile(file, JSON.stringify(config));
}

/**
 * Headers a bare request to `url` needs: a bearer token for the repository in its path, fetched
 * once per repository (as a client caches it) and reused; none for hosts without token auth.
 * @param {string} url
 * @returns {Promise<Record<string, string>>}
 */
export async function bareAuth(url) {
  const u = new URL(url);
  const reg = registries.get(u.host);
  if (reg === undefined) return {};
  // The name is everything before the route's own tail, so a name component called `tags`,
  // `blobs` or `manifests` stays part of it.
  const m = /^\/v2\/(.+)\/(?:manifests\/[^/]+|blobs\/uploads\/[^/]*|blobs\/[^/]+|tags\/list)$/.exec(u.pathname);
  if (m === null) return {};
  const key = `${u.host} ${m[1]}`;
  let token = tokens.get(key);
  if (token === undefined) {
    const t = new URL(reg.tokenUrl);
    t.searchParams.set('service', reg.service);
    t.searchParams.set('scope', `repository:${m[1]}:pull,push`);
    const basic = Buffer.from(`${reg.user.name}:${reg.user.password}`).toString('base64');
    const res = await fetch(t, { headers: { authorization: `Basic ${basic}` } });
    if (res.status !== 200) throw new Error(`token for ${key}: HTTP ${res.status}`);
    const body = await res.json();
    token = body.token ?? body.access_token;
    tokens.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}
