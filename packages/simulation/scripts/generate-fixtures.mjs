// Regenerates fixtures/cassettes/dockerhub-pull.json and fixtures/hub-api/*.json from the simulator.
// Run after `npx tsup`: node scripts/generate-fixtures.mjs
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { createCassette, createSimulator } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures');
const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_M = 'application/vnd.oci.image.manifest.v1+json';
const OCI_I = 'application/vnd.oci.image.index.v1+json';
const clock = () => Date.parse('2026-01-15T10:00:00Z');

async function call(dispatcher, method, path, { headers = {}, body } = {}) {
  const res = await request(`http://registry.test${path}`, { method, headers, body, dispatcher });
  const text = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, text };
}

async function push(d, repo, tag, arch) {
  const config = JSON.stringify({
    architecture: arch,
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [] },
  });
  const layer = `layer-${arch}`;
  for (const b of [config, layer]) {
    const start = await call(d, 'POST', `/v2/${repo}/blobs/uploads/`);
    const loc = new URL(start.headers.location);
    loc.searchParams.set('digest', sha(b));
    await call(d, 'PUT', loc.pathname + loc.search, { body: b });
  }
  const m = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_M,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha(config),
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: sha(layer),
        size: layer.length,
      },
    ],
  });
  await call(d, 'PUT', `/v2/${repo}/manifests/${tag}`, {
    body: m,
    headers: { 'content-type': OCI_M },
  });
  return { digest: sha(m), size: m.length };
}

const seedSim = createSimulator({
  profile: 'oci',
  clock,
  repositories: {
    'library/alpine': { description: 'A minimal Docker image based on Alpine Linux' },
  },
});
const d = seedSim.dispatcher;
const amd = await push(d, 'library/alpine', 'amd64-only', 'amd64');
const arm = await push(d, 'library/alpine', 'arm64-only', 'arm64');
const index = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_I,
  manifests: [
    { mediaType: OCI_M, ...amd, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: OCI_M, ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ],
});
await call(d, 'PUT', '/v2/library/alpine/manifests/3.20', {
  body: index,
  headers: { 'content-type': OCI_I },
});

const hub = createSimulator({
  profile: 'dockerhub',
  clock,
  storage: seedSim.store.blobs,
  users: [{ name: 'alice', password: 'alice-pw', twoFactorCode: '123456' }],
});
await hub.store.ready();
hub.store.state.restore(seedSim.store.state.toJSON());

const cassettePath = join(root, 'cassettes', 'dockerhub-pull.json');
await rm(cassettePath, { force: true });
const cassette = createCassette({ path: cassettePath, mode: 'record', upstream: hub.fetch });
const c = cassette.dispatcher;
const ping = await call(c, 'GET', '/v2/');
const realm = /realm="([^"]+)"/.exec(ping.headers['www-authenticate'])[1];
const tok = JSON.parse(
  (
    await call(
      c,
      'GET',
      `${new URL(realm).pathname}?service=registry.docker.io&scope=repository:library/alpine:pull`,
    )
  ).text,
).token;
const auth = { authorization: `Bearer ${tok}`, accept: `${OCI_I}, ${OCI_M}` };
await call(c, 'HEAD', '/v2/library/alpine/manifests/3.20', { headers: auth });
await call(c, 'GET', '/v2/library/alpine/manifests/3.20', { headers: auth });
await call(c, 'GET', `/v2/library/alpine/manifests/${arm.digest}`, { headers: auth });
await call(c, 'GET', '/v2/library/alpine/tags/list', {
  headers: { authorization: auth.authorization },
});
await cassette.save();

const hubDir = join(root, 'hub-api');
await mkdir(hubDir, { recursive: true });
const save = async (name, res) =>
  writeFile(join(hubDir, name), `${JSON.stringify(JSON.parse(res.text.toString()), null, 2)}\n`);
await save(
  'namespace-repositories.json',
  await call(hub.dispatcher, 'GET', '/v2/namespaces/library/repositories?page_size=1'),
);
await save(
  'repository.json',
  await call(hub.dispatcher, 'GET', '/v2/namespaces/library/repositories/alpine'),
);
await save(
  'tags-page1.json',
  await call(
    hub.dispatcher,
    'GET',
    '/v2/namespaces/library/repositories/alpine/tags?page_size=2&ordering=name',
  ),
);
await save(
  'tag-multiarch.json',
  await call(hub.dispatcher, 'GET', '/v2/repositories/library/alpine/tags/3.20/'),
);
const twofa = JSON.parse(
  (
    await call(hub.dispatcher, 'POST', '/v2/users/login', {
      body: JSON.stringify({ username: 'alice', password: 'alice-pw' }),
      headers: { 'content-type': 'application/json' },
    })
  ).text,
);
twofa.login_2fa_token = '<short-lived JWT>';
await writeFile(join(hubDir, 'login-2fa-required.json'), `${JSON.stringify(twofa, null, 2)}\n`);
await save(
  'search.json',
  await call(hub.dispatcher, 'GET', '/v2/search/repositories/?query=alpine'),
);
await hub.close();
await seedSim.close();
console.log('fixtures written');
