// P-01..P-07: one client call against a bare undici request doing the same HTTP exchange, on
// one target (the real registry or the simulator); P-08/P-09 come from the concurrency suite.
import { randomBytes } from 'node:crypto';
import { bare } from '../lib/http.mjs';
import { imageManifest } from '../lib/layout.mjs';
import { log, measure, round, sha } from '../lib/measure.mjs';
import { MANIFEST_ACCEPT, MiB, OCI_LAYER, OCI_MANIFEST, P } from '../lib/params.mjs';
import { concurrencySuite } from './concurrency.mjs';

const REPO = 'bench/small';
const UP_REPO = 'bench/up';

/** Pushes a one-layer image to `host/bench/small` under the tags v1, v2, v3 and latest. */
async function seedSmallImage(client, host) {
  const layer = randomBytes(1024);
  const config = Buffer.from(
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  );
  const layerDigest = await client.blobs.upload(`${host}/${REPO}`, layer);
  const configDigest = await client.blobs.upload(`${host}/${REPO}`, config);
  const manifest = imageManifest(configDigest, config.length, [
    { mediaType: OCI_LAYER, digest: layerDigest, size: layer.length },
  ]);
  for (const t of ['v1', 'v2', 'v3', 'latest'])
    await client.manifests.put(`${host}/${REPO}:${t}`, manifest);
  return { ref: `${host}/${REPO}:v1`, layerDigest, manifest };
}

/** Measures the client call, then the bare one, and records both with the ratio of medians. */
async function pair(r, { id, name, client, bare: bareFn }) {
  const c = await measure(client);
  const b = await measure(bareFn);
  r[id] = { name, client: c, bare: b, ratioMedian: round(c.median / b.median) };
  log(`  ${id} ${name}: client ${c.median} ms, bare ${b.median} ms, x${r[id].ratioMedian}`);
}

/** P-01..P-05: manifest GET (median and p99), tag list, blob HEAD, manifest PUT. */
async function requestPairs(r, { client, url, host }, seed) {
  const base = `${url}/v2/${REPO}`;
  await pair(r, {
    id: 'P-01/P-02',
    name: 'get manifest (p50 / p99)',
    client: () => client.manifests.get(seed.ref),
    bare: () =>
      bare('GET', `${base}/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT }, expect: 200 }),
  });
  await pair(r, {
    id: 'P-03',
    name: 'list tags',
    client: () => client.tags.list(`${host}/${REPO}`),
    bare: async () => {
      const { buf } = await bare('GET', `${base}/tags/list`, { expect: 200 });
      JSON.parse(buf.toString('utf8'));
    },
  });
  await pair(r, {
    id: 'P-04',
    name: 'HEAD blob',
    client: () => client.blobs.exists(`${host}/${REPO}`, seed.layerDigest),
    bare: () => bare('HEAD', `${base}/blobs/${seed.layerDigest}`, { expect: 200 }),
  });
  await pair(r, {
    id: 'P-05',
    name: 'push manifest',
    client: () => client.manifests.put(`${host}/${REPO}:p05`, seed.manifest),
    bare: () =>
      bare('PUT', `${base}/manifests/p05b`, {
        headers: { 'content-type': OCI_MANIFEST },
        body: seed.manifest,
        expect: 201,
      }),
  });
}

/** A bare monolithic upload: POST, then PUT of the whole blob with its digest. */
async function bareMonolithicUpload(url, buf) {
  const start = await bare('POST', `${url}/v2/${UP_REPO}/blobs/uploads/`, { expect: 202 });
  const loc = new URL(start.res.headers.location, url);
  loc.searchParams.set('digest', sha(buf));
  await bare('PUT', loc.toString(), {
    headers: { 'content-type': 'application/octet-stream' },
    body: buf,
    expect: 201,
  });
}

/**
 * P-06/P-07 for one size: monolithic `blobs.upload` (64 MiB chunk setting) vs bare POST + PUT,
 * with `blobs.uploadChunked` (size/4 chunks) beside. Fresh random bytes every iteration: an
 * existing blob would be skipped.
 */
async function uploadComparison({ client, bigChunk, url, host }, id, size) {
  const total = P.uploadIters + 2;
  const fresh = () => Array.from({ length: total }, () => randomBytes(size));
  const [mono, chunked, bareBufs] = [fresh(), fresh(), fresh()];
  const chunkSize = Math.max(64 * 1024, Math.floor(size / 4));
  const m = await measure(
    (i) => bigChunk.blobs.upload(`${host}/${UP_REPO}`, mono[i % total]),
    P.uploadIters,
    2,
  );
  const c = await measure(
    (i) => client.blobs.uploadChunked(`${host}/${UP_REPO}`, chunked[i % total], { chunkSize }),
    P.uploadIters,
    2,
  );
  const b = await measure((i) => bareMonolithicUpload(url, bareBufs[i % total]), P.uploadIters, 2);
  log(`  ${id} upload ${size} B: mono ${m.median} ms, chunked ${c.median} ms, bare ${b.median} ms`);
  return {
    name: `upload ${size / MiB} MiB blob`,
    monolithic: m,
    chunked: { ...c, chunkSize },
    bareMonolithic: b,
    ratioMedian: round(m.median / b.median),
  };
}

/**
 * P-01..P-09 on one target (`{ url, host }`) with the shared `client` and `work.bigChunk` (a
 * client with a 64 MiB chunk setting).
 */
export async function latencySuite(target, client, work) {
  const ctx = { client, bigChunk: work.bigChunk, url: target.url, host: target.host };
  const seed = await seedSmallImage(client, target.host);
  const r = {};
  await requestPairs(r, ctx, seed);
  r['P-06'] = await uploadComparison(ctx, 'P-06', P.upSizes[0]);
  r['P-07'] = await uploadComparison(ctx, 'P-07', P.upSizes[1]);
  Object.assign(r, await concurrencySuite(client, target.host));
  return r;
}
