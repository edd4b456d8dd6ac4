// Repository scale (issue 21's performance rows), real registries with token auth on loopback:
// - a 3-platform image (P.repo.platformLayers per platform) copied between two registries:
//   `dhub copy` against `skopeo copy --all`, with a floor: every blob moved by bare undici
//   (GET at the source piped into a monolithic PUT at the destination), all at once;
// - every tag of a repository whose tags share base layers, into an empty registry:
//   `dhub copy --all-tags` against `skopeo sync --all --src docker --dest docker`;
// - that copy again with nothing changed: `dhub copy --all-tags` and `dhub sync FILE` timed, and
//   the requests counted at both registries' doors (lib/counting-proxy.mjs) and at the token
//   service: exactly one manifest HEAD per tag per side, the source's tag list, and the token
//   handshake (a first request answered 401 with the challenge, token requests), or the run fails.
// Layers are gzip streams (of random bytes, stored uncompressed: level 0) with the gzip media type,
// as registries usually hold them: skopeo compresses an uncompressed layer it pushes to a registry,
// which would change the digests and time gzip instead of the copy.
// A fresh destination registry per round: skopeo (as root) keeps a blob-info cache whatever HOME
// is and would mount what an earlier round pushed instead of uploading it.
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from '../lib/deps.mjs';
import { bare } from '../lib/http.mjs';
import { gzipRandomFile, imageManifest } from '../lib/layout.mjs';
import { drain, log, median, round, sha, timeOnce } from '../lib/measure.mjs';
import { OCI_MANIFEST, P } from '../lib/params.mjs';
import { dhub, skopeoCopy, skopeoSync } from '../lib/processes.mjs';
import { startCountingProxy } from '../lib/counting-proxy.mjs';
import { bareAuth, startRegistry } from '../registry.mjs';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const NO_TLS = ['--src-tls-verify=false', '--dest-tls-verify=false'];
/** Transfers at once in the all-tags floor (a client's usual connection pool per host). */
const FLOOR_JOBS = 8;
/** The issue's goals: dhub / skopeo speed-ups and the re-run's wall time. */
export const REPOSITORY_GOALS = { copySpeedup: 2, syncSpeedup: 3, rerunMs: 2000 };

/** A gzip layer of `size` random bytes pushed to `repo` from a temporary file. */
async function pushLayer(client, repo, file, size) {
  const { digest, size: gzSize, diffId } = await gzipRandomFile(file, size);
  await client.blobs.upload(repo, () => createReadStream(file), { digest, size: gzSize });
  await rm(file, { force: true });
  return { mediaType: OCI_LAYER_GZIP, digest, size: gzSize, diffId };
}

/** An image manifest over `layers` with its own config; pushed by digest, or as `tag`. */
async function pushImage(client, repo, { arch, layers, label, tag }) {
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      config: { Labels: { bench: label } },
    }),
  );
  const configDigest = await client.blobs.upload(repo, config);
  const descriptors = layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size }));
  const manifest = imageManifest(configDigest, config.length, descriptors);
  const digest = sha(manifest);
  await client.manifests.put(`${repo}${tag === undefined ? `@${digest}` : `:${tag}`}`, manifest, {
    mediaType: OCI_MANIFEST,
  });
  const blobs = [{ digest: configDigest, size: config.length }, ...descriptors];
  return { digest, size: manifest.length, blobs };
}

/** `repo:v1`: an OCI index of one image per platform, each with its own random layers (exported for experiments). */
export async function seedMulti(client, repo, dir) {
  const images = [];
  for (const arch of P.repo.platforms) {
    const layers = [];
    for (const [i, size] of P.repo.platformLayers.entries())
      layers.push(await pushLayer(client, repo, join(dir, `multi-${arch}-${i}`), size));
    images.push({ arch, ...(await pushImage(client, repo, { arch, layers, label: arch })) });
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map((m) => ({
        mediaType: OCI_MANIFEST,
        digest: m.digest,
        size: m.size,
        platform: { architecture: m.arch, os: 'linux' },
      })),
    }),
  );
  await client.manifests.put(`${repo}:v1`, index, { mediaType: OCI_INDEX });
  const blobs = images.flatMap((m) => m.blobs);
  return { digest: sha(index), blobs, bytes: blobs.reduce((n, b) => n + b.size, 0) };
}

/** `P.repo.tags` tags (`1.N.0`), each the shared base layers plus one layer of its own. */
export async function seedTags(client, repo, dir) {
  const base = [];
  for (const [i, size] of P.repo.baseLayers.entries())
    base.push(await pushLayer(client, repo, join(dir, `base-${i}`), size));
  const tags = [];
  const blobs = new Map();
  for (let t = 0; t < P.repo.tags; t++) {
    const own = await pushLayer(client, repo, join(dir, `tag-${t}`), P.repo.tagLayer);
    const tag = `1.${t}.0`;
    const image = await pushImage(client, repo, { arch: 'amd64', layers: [...base, own], label: tag, tag });
    for (const b of image.blobs) blobs.set(b.digest, b);
    tags.push(tag);
  }
  const distinct = P.repo.baseLayers.reduce((a, b) => a + b, 0) + P.repo.tags * P.repo.tagLayer;
  return { tags, bytes: distinct, blobs: [...blobs.values()] };
}

/** Fails the run when `ref` does not point at `digest` (a copy that did not copy). */
async function expectDigest(client, ref, digest, who) {
  const got = (await client.manifests.head(ref)).digest;
  if (got !== digest) throw new Error(`${who}: ${ref} is ${got}, expected ${digest}`);
}

/** Fails the run when `repo` does not list every tag of the source. */
async function expectTags(client, repo, tags, who) {
  const got = new Set(await client.tags.list(repo));
  const missing = tags.filter((t) => !got.has(t));
  if (missing.length > 0) throw new Error(`${who}: ${repo} lacks ${missing.join(', ')}`);
}

/** Runs the two measurements in the round's order (dhub first in odd rounds). */
async function both(k, dhubRun, skopeoRun) {
  if (k % 2 === 1) {
    const d = await dhubRun();
    return { d, s: await skopeoRun() };
  }
  const s = await skopeoRun();
  return { d: await dhubRun(), s };
}

/** One blob by bare undici: upload session at `dst`, then the source's GET body as the PUT body. */
async function bareCopyBlob({ src, srcRepo, dst, repo }, blob) {
  const uploads = `${dst.url}/v2/${repo}/blobs/uploads/`;
  const started = await bare('POST', uploads, { expect: 202 });
  const from = `${src.url}/v2/${srcRepo}/blobs/${blob.digest}`;
  const get = await request(from, { headers: await bareAuth(from) });
  if (get.statusCode !== 200) throw new Error(`floor GET ${blob.digest}: HTTP ${get.statusCode}`);
  const put = new URL(started.res.headers.location, dst.url);
  put.searchParams.set('digest', blob.digest);
  const res = await request(put, {
    method: 'PUT',
    headers: {
      ...(await bareAuth(uploads)),
      'content-type': 'application/octet-stream',
      'content-length': String(blob.size),
    },
    body: get.body,
  });
  await drain(res.body);
  if (res.statusCode !== 201) throw new Error(`floor PUT ${blob.digest}: HTTP ${res.statusCode}`);
}

/** The image copy: skopeo copy --all and dhub copy into fresh repositories, then the floor. */
async function copyRow(c, dst, k) {
  const src = `${c.src.host}/bench/multi:v1`;
  const to = (who) => `${dst.host}/${who}-${k}/multi:v1`;
  const { d, s } = await both(
    k,
    () => dhub('copy', '-q', src, to('dhub')),
    () => skopeoCopy(c.home, ['--all', ...NO_TLS], `docker://${src}`, `docker://${to('skopeo')}`),
  );
  await expectDigest(c.client, to('dhub'), c.multi.digest, 'dhub copy');
  await expectDigest(c.client, to('skopeo'), c.multi.digest, 'skopeo copy --all');
  const route = { src: c.src, srcRepo: 'bench/multi', dst, repo: `floor-${k}/multi` };
  const floorMs = await timeOnce(() => Promise.all(c.multi.blobs.map((b) => bareCopyBlob(route, b))));
  return { d, s, floorMs };
}

/**
 * The floor of the all-tags copy: every distinct blob by bare undici, `FLOOR_JOBS` at a time, then
 * each tag's manifest (GET at the source, PUT at the destination), `FLOOR_JOBS` at a time.
 */
async function syncFloor(c, dst, k) {
  const route = { src: c.src, srcRepo: 'bench/app', dst, repo: `floor-sync-${k}/app` };
  const limit = (items, fn) => {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await fn(items[next++]);
    };
    return Promise.all(Array.from({ length: FLOOR_JOBS }, worker));
  };
  return timeOnce(async () => {
    await limit(c.tags.blobs, (b) => bareCopyBlob(route, b));
    await limit(c.tags.tags, async (tag) => {
      const { buf } = await bare('GET', `${c.src.url}/v2/bench/app/manifests/${tag}`, { headers: { accept: OCI_MANIFEST }, expect: 200 });
      const headers = { 'content-type': OCI_MANIFEST };
      await bare('PUT', `${dst.url}/v2/${route.repo}/manifests/${tag}`, { headers, body: buf, expect: 201 });
    });
  });
}

/** Every tag into the empty registry: skopeo sync --all and dhub copy --all-tags. */
async function syncRow(c, dst, k) {
  const src = `${c.src.host}/bench/app`;
  const dhubRepo = `${dst.host}/dhub-sync-${k}/app`;
  const { d, s } = await both(
    k,
    () => dhub('copy', '-q', src, dhubRepo, '--all-tags'),
    () =>
      skopeoSync(c.home, [
        '--all',
        '--src',
        'docker',
        '--dest',
        'docker',
        ...NO_TLS,
        src,
        `${dst.host}/skopeo-sync-${k}`,
      ]),
  );
  await expectTags(c.client, dhubRepo, c.tags.tags, 'dhub copy --all-tags');
  await expectTags(c.client, `${dst.host}/skopeo-sync-${k}/app`, c.tags.tags, 'skopeo sync');
  return { d, s, dhubRepo, floorMs: await syncFloor(c, dst, k) };
}

/** Classifies the requests a proxy saw; `repo` is the repository on that side. */
function classify(seen, repo) {
  const out = { manifestHeads: 0, tagsHeaded: new Set(), tagLists: 0, challenges: 0, other: [] };
  for (const { method, path, status } of seen) {
    const head = method === 'HEAD' ? new RegExp(`^/v2/${repo}/manifests/([^/?]+)$`).exec(path) : null;
    // The token handshake: a request sent before the registry's challenge was known, answered 401.
    if (status === 401) out.challenges++;
    else if (head !== null && status === 200) {
      out.manifestHeads++;
      out.tagsHeaded.add(head[1]);
    } else if (method === 'GET' && path.startsWith(`/v2/${repo}/tags/list`) && status === 200) out.tagLists++;
    else out.other.push(`${method} ${path} ${status}`);
  }
  return out;
}

/** Throws unless one side saw one manifest HEAD per tag, `lists` tag lists, at most one challenge and nothing else. */
function checkSide(side, x, n, lists) {
  if (x.manifestHeads !== n || x.tagsHeaded.size !== n || x.tagLists !== lists || x.challenges > 1 || x.other.length > 0)
    throw new Error(
      `unchanged re-run, ${side}: ${x.manifestHeads} manifest HEADs for ${n} tags (${x.tagsHeaded.size} distinct), ${x.tagLists} tag lists, ${x.challenges} answered 401; other requests: ${x.other.join(', ') || 'none'}`,
    );
}

/**
 * The unchanged re-run through counting proxies at both registries: exactly one manifest HEAD per
 * tag per side, the tag list once at the source, the token handshake; anything else fails the run.
 */
async function countRerun(c, dst, dhubRepo) {
  const [pa, pd] = [await startCountingProxy(c.src), await startCountingProxy(dst)];
  const tokensBefore = c.src.tokenRequests.length + dst.tokenRequests.length;
  try {
    const dstRepo = dhubRepo.slice(dhubRepo.indexOf('/') + 1);
    await dhub('copy', '-q', `${pa.host}/bench/app`, `${pd.host}/${dstRepo}`, '--all-tags');
    const tokens = c.src.tokenRequests.length + dst.tokenRequests.length - tokensBefore;
    const source = classify(pa.seen, 'bench/app');
    const target = classify(pd.seen, dstRepo);
    checkSide('source', source, c.tags.tags.length, 1);
    checkSide('target', target, c.tags.tags.length, 0);
    const count = (x) => ({ manifestHeads: x.manifestHeads, tagLists: x.tagLists, challenges: x.challenges });
    return { source: count(source), target: count(target), tokenRequests: tokens };
  } finally {
    await pa.close();
    await pd.close();
  }
}

/** The unchanged re-run: dhub copy --all-tags and dhub sync timed, skopeo sync beside, counted once. */
async function rerunRow(c, dst, k, dhubRepo) {
  const src = `${c.src.host}/bench/app`;
  const file = join(c.dir, `sync-${k}.yaml`);
  await writeFile(file, `syncs:\n  - source: ${src}\n    target: ${dhubRepo}\n`);
  const copyMs = [];
  const syncMs = [];
  let rss = 0;
  for (let i = 0; i < P.repo.reruns; i++) {
    const a = await dhub('copy', '-q', src, dhubRepo, '--all-tags');
    const b = await dhub('sync', '-q', file);
    copyMs.push(a.wallMs);
    syncMs.push(b.wallMs);
    rss = Math.max(rss, a.peakRssMb, b.peakRssMb);
  }
  const s = await skopeoSync(c.home, ['--all', '--src', 'docker', '--dest', 'docker', ...NO_TLS, src, `${dst.host}/skopeo-sync-${k}`]);
  const requests = await countRerun(c, dst, dhubRepo);
  return { copyMs: median(copyMs), syncMs: median(syncMs), skopeoMs: s.wallMs, rss, requests };
}

/** One round against a fresh destination registry. */
async function oneRound(c, k, acc) {
  const dst = await startRegistry();
  try {
    const copy = await copyRow(c, dst, k);
    const sync = await syncRow(c, dst, k);
    const rerun = await rerunRow(c, dst, k, sync.dhubRepo);
    acc.push({ copy, sync, rerun });
    log(
      `  round ${k}: copy dhub ${Math.round(copy.d.wallMs)} ms (cpu ${copy.d.cpuMs}) skopeo ${Math.round(copy.s.wallMs)} ms (cpu ${copy.s.cpuMs}) floor ${Math.round(copy.floorMs)} ms; all tags dhub ${Math.round(sync.d.wallMs)} ms (cpu ${sync.d.cpuMs}) skopeo ${Math.round(sync.s.wallMs)} ms (cpu ${sync.s.cpuMs}) floor ${Math.round(sync.floorMs)} ms; unchanged re-run dhub ${Math.round(rerun.copyMs)} ms (sync ${Math.round(rerun.syncMs)} ms), skopeo ${Math.round(rerun.skopeoMs)} ms`,
    );
  } finally {
    await dst.stop();
  }
}

/** dhub against skopeo over the rounds: medians, speed-up, the goal, peak RSS. */
function versus(pairs, goal, bytes) {
  const dhubMs = median(pairs.map((x) => x.d.wallMs));
  const skopeoMs = median(pairs.map((x) => x.s.wallMs));
  const speedupVsSkopeo = round(skopeoMs / dhubMs);
  return {
    bytes,
    dhubMs: Math.round(dhubMs),
    skopeoMs: Math.round(skopeoMs),
    speedupVsSkopeo,
    goal,
    holds: speedupVsSkopeo >= goal,
    dhubCpuMs: median(pairs.map((x) => x.d.cpuMs ?? 0)),
    skopeoCpuMs: median(pairs.map((x) => x.s.cpuMs ?? 0)),
    dhubPeakRssMb: Math.max(...pairs.map((x) => x.d.peakRssMb)),
    skopeoPeakRssMb: Math.max(...pairs.map((x) => x.s.peakRssMb)),
    raw: { dhubMs: pairs.map((x) => Math.round(x.d.wallMs)), skopeoMs: pairs.map((x) => Math.round(x.s.wallMs)) },
  };
}

function summarise(rounds, c) {
  const reruns = rounds.map((r) => r.rerun);
  const rerunMs = Math.round(median(reruns.map((r) => r.copyMs)));
  return {
    rounds: rounds.length,
    copy: {
      ...versus(rounds.map((r) => r.copy), REPOSITORY_GOALS.copySpeedup, c.multi.bytes),
      platforms: P.repo.platforms.length,
      floorMs: Math.round(median(rounds.map((r) => r.copy.floorMs))),
    },
    sync: {
      ...versus(rounds.map((r) => r.sync), REPOSITORY_GOALS.syncSpeedup, c.tags.bytes),
      tags: c.tags.tags.length,
      floorMs: Math.round(median(rounds.map((r) => r.sync.floorMs))),
    },
    rerun: {
      tags: c.tags.tags.length,
      dhubMs: rerunMs,
      dhubSyncMs: Math.round(median(reruns.map((r) => r.syncMs))),
      skopeoMs: Math.round(median(reruns.map((r) => r.skopeoMs))),
      goalMs: REPOSITORY_GOALS.rerunMs,
      holds: rerunMs < REPOSITORY_GOALS.rerunMs,
      dhubPeakRssMb: Math.max(...reruns.map((r) => r.rss)),
      requests: reruns[reruns.length - 1].requests,
    },
  };
}

/**
 * The repository-scale suite: seeds `regA` (the source) once, then `P.repo.rounds` rounds each
 * against a fresh destination registry.
 */
export async function repositorySuite(regA, clients, work) {
  const dir = join(work.dir, 'repository');
  const home = join(work.dir, 'skopeo-repository-home');
  await mkdir(dir, { recursive: true });
  await mkdir(home, { recursive: true });
  const client = clients.client;
  log('  seeding the 3-platform image and the tags');
  const multi = await seedMulti(client, `${regA.host}/bench/multi`, dir);
  // (no path component of a repository here may be `tags`, `blobs` or `manifests`: bare
  // requests take the repository for their token from the path)
  const tags = await seedTags(client, `${regA.host}/bench/app`, dir);
  const c = { src: regA, client, home, dir, multi, tags };
  const rounds = [];
  for (let k = 0; k < P.repo.rounds; k++) await oneRound(c, k, rounds);
  return summarise(rounds, c);
}

const mib = (bytes) => round(bytes / 2 ** 20, 1);

/** Markdown lines for the report. */
export function repositoryLines(r, table) {
  const yes = (x) => (x ? 'holds' : '**misses**');
  const { copy, sync, rerun } = r;
  const q = rerun.requests;
  const cells = [
    [`copy of a ${copy.platforms}-platform image, ${mib(copy.bytes)} MiB, across registries (\`skopeo copy --all\`)`, `**${copy.speedupVsSkopeo}x**`, copy.dhubMs, copy.skopeoMs, `>= ${copy.goal}x: ${yes(copy.holds)}`, `${copy.dhubCpuMs} / ${copy.skopeoCpuMs}`, `${copy.dhubPeakRssMb} / ${copy.skopeoPeakRssMb}`],
    [`\`--all-tags\` of ${sync.tags} tags sharing base layers, ${mib(sync.bytes)} MiB distinct, into an empty registry (\`skopeo sync --all\`)`, `**${sync.speedupVsSkopeo}x**`, sync.dhubMs, sync.skopeoMs, `>= ${sync.goal}x: ${yes(sync.holds)}`, `${sync.dhubCpuMs} / ${sync.skopeoCpuMs}`, `${sync.dhubPeakRssMb} / ${sync.skopeoPeakRssMb}`],
    [`the same, nothing changed (\`dhub sync FILE\`: ${rerun.dhubSyncMs} ms)`, `**${round(rerun.skopeoMs / rerun.dhubMs)}x**`, rerun.dhubMs, rerun.skopeoMs, `< ${rerun.goalMs} ms: ${yes(rerun.holds)}`, '-', `${rerun.dhubPeakRssMb} / -`],
  ];
  return [
    '',
    `**Repository scale** (real registries with token auth; a fresh destination registry per round; whole processes timed from outside, median of ${r.rounds} round${r.rounds === 1 ? '' : 's'}, the tools alternating):`,
    '',
    ...table(['operation (skopeo command)', 'dhub vs skopeo', 'dhub ms', 'skopeo ms', 'goal', 'CPU ms dhub / skopeo', 'peak RSS dhub / skopeo MB'], cells),
    '',
    `Floors, bare undici in the benchmark process (no client code, no process start; a GET at the source piped into a monolithic PUT per blob): the image copy with every blob at once ${copy.floorMs} ms (skopeo / floor ${round(copy.skopeoMs / copy.floorMs)}x, the most any client could gain here); the all-tags copy, ${FLOOR_JOBS} blobs at a time then the ${sync.tags} manifests, ${sync.floorMs} ms (skopeo / floor ${round(sync.skopeoMs / sync.floorMs)}x).`,
    `Unchanged re-run, requests counted at the registries (${rerun.tags} tags): source ${q.source.manifestHeads} manifest HEADs and ${q.source.tagLists} tag list; target ${q.target.manifestHeads} manifest HEADs; the token handshake: ${q.source.challenges} + ${q.target.challenges} requests answered 401 (the first to each registry) and ${q.tokenRequests} token requests; nothing else.`,
  ];
}
