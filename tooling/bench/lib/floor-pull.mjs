// The bare floor of a verified pull, run as its own process (timed from outside like `dhub pull`
// and `skopeo copy`): `node floor-pull.mjs HOST/REPO:TAG DIR CONCURRENCY`. Bare undici (the
// client's own copy) and no client code: the manifest GET answered 401, the token from the
// challenge's realm with the credentials `docker login` left in $DOCKER_CONFIG/config.json, the
// manifest, then the config and every layer CONCURRENCY at a time, each hashed with SHA-256
// while it streams to its file under DIR/blobs/sha256 (a digest mismatch fails), then
// `oci-layout` and `index.json`. No temporary files, no resume, no retries: the work any verified
// pull must do at least. Exits non-zero on any error.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';

// Only the dispatcher and the request API (as a bundled client loads them): undici's index.js
// loads fetch, mocks and interceptors as well, ~50 ms of start-up a client need not pay.
const undici = createRequire(
  new URL('../../../packages/services/node_modules/undici/index.js', import.meta.url),
);
const Agent = undici('./lib/dispatcher/agent.js');
const api = undici('./lib/api/index.js');
const agent = new Agent();
/** undici `request()` on the agent: `{ statusCode, headers, body }`. */
const request = (url, { headers }) => {
  const u = new URL(url);
  return api.request.call(agent, { origin: u.origin, path: `${u.pathname}${u.search}`, method: 'GET', headers });
};

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const [refArg, dir, concArg] = process.argv.slice(2);
const m = /^([^/]+)\/(.+):([^:/]+)$/.exec(refArg ?? '');
if (m === null || dir === undefined) throw new Error('usage: floor-pull.mjs HOST/REPO:TAG DIR [N]');
const [, host, repo, tag] = m;
const concurrency = Number(concArg ?? 10);
/** Bytes a file's write stream buffers before the download waits (dhub's setting). */
const WRITE_BUFFER = 512 * 1024;
const base = `http://${host}/v2/${repo}`;

/** Bearer token for pulling `repo`, from the challenge of an unauthenticated request. */
async function token(challenge) {
  const params = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]),
  );
  const config = JSON.parse(await readFile(join(process.env.DOCKER_CONFIG, 'config.json'), 'utf8'));
  const url = new URL(params.realm);
  url.searchParams.set('service', params.service);
  url.searchParams.set('scope', params.scope ?? `repository:${repo}:pull`);
  const res = await request(url, {
    headers: { authorization: `Basic ${config.auths[host].auth}` },
  });
  if (res.statusCode !== 200) throw new Error(`token: HTTP ${res.statusCode}`);
  const body = await res.body.json();
  return body.token ?? body.access_token;
}

/** The manifest: first unauthenticated (401 with the challenge), then with the token. */
async function manifest() {
  const url = `${base}/manifests/${tag}`;
  const first = await request(url, { headers: { accept: ACCEPT } });
  await first.body.dump();
  if (first.statusCode !== 401) throw new Error(`manifest: HTTP ${first.statusCode}, no challenge`);
  const auth = `Bearer ${await token(String(first.headers['www-authenticate']))}`;
  const res = await request(url, { headers: { accept: ACCEPT, authorization: auth } });
  if (res.statusCode !== 200) throw new Error(`manifest: HTTP ${res.statusCode}`);
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { auth, bytes, mediaType: String(res.headers['content-type']) };
}

/** One blob: GET, SHA-256 of every chunk on its way to the file, digest checked. */
async function blob(auth, digest) {
  const res = await request(`${base}/blobs/${digest}`, { headers: { authorization: auth } });
  if (res.statusCode !== 200) throw new Error(`${digest}: HTTP ${res.statusCode}`);
  const h = createHash('sha256');
  const file = createWriteStream(join(dir, 'blobs', 'sha256', digest.slice(7)), {
    highWaterMark: WRITE_BUFFER,
  });
  const closed = finished(file);
  for await (const c of res.body) {
    h.update(c);
    if (!file.write(c)) await once(file, 'drain');
  }
  file.end();
  await closed;
  if (`sha256:${h.digest('hex')}` !== digest) throw new Error(`${digest}: digest mismatch`);
}

async function main() {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const { auth, bytes, mediaType } = await manifest();
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  const parsed = JSON.parse(bytes.toString('utf8'));
  const queue = [parsed.config, ...parsed.layers].map((d) => d.digest);
  const worker = async () => {
    for (let d = queue.shift(); d !== undefined; d = queue.shift()) await blob(auth, d);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const entry = { mediaType, digest, size: bytes.length, annotations: { 'org.opencontainers.image.ref.name': tag } };
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
}

await main();
