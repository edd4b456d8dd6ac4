// Throughput on the real registry: `dhub push`/`pull` against `skopeo copy` as whole processes,
// the first layer downloaded in-process every way (see downloads.mjs), and the floors of what
// the machine and the registry allow before any client code runs.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { barePushFile, undiciFileGet } from '../lib/http.mjs';
import { blobPath, makeLayout } from '../lib/layout.mjs';
import { log, mbPerSec, median, ms, now, round, timeOnce } from '../lib/measure.mjs';
import { MiB, P } from '../lib/params.mjs';
import { dhub, run, skopeoCopy } from '../lib/processes.mjs';
import { startRegistry } from '../registry.mjs';
import { emptyDownloadSamples, firstLayerDownloads, summariseDownloads } from './downloads.mjs';

/** Node's single-thread SHA-256 speed in MB/s over `bytes` (in memory, 1 MiB steps). */
function sha256Speed(bytes) {
  const t = now();
  const h = createHash('sha256');
  for (let o = 0; o < bytes.length; o += MiB) h.update(bytes.subarray(o, o + MiB));
  h.digest();
  return bytes.length / 1e6 / (ms(now() - t) / 1000);
}

/** Push: skopeo first (its blob-info cache cannot know the dhub repo), each to a fresh repo. */
async function pushBoth(c, runs) {
  const sp = await skopeoCopy(
    c.home,
    ['--dest-tls-verify=false'],
    `oci:${c.layout}`,
    `docker://${c.host}/${c.sRepo}:v1`,
  );
  const dp = await dhub('push', '-q', c.layout, `${c.host}/${c.dRepo}:v1`);
  runs.skopeoPush.push(sp.wallMs);
  runs.dhubPush.push(dp.wallMs);
  return dp.peakRssMb;
}

/** Pull: each into a fresh OCI directory, from the dhub-pushed repo; checks dhub's result. */
async function pullBoth(c, runs) {
  const sdir = join(c.workDir, `pull-skopeo-${c.img.id}-${c.k}`);
  const ddir = join(c.workDir, `pull-dhub-${c.img.id}-${c.k}`);
  const ref = `${c.host}/${c.dRepo}:v1`;
  const sl = await skopeoCopy(c.home, ['--src-tls-verify=false'], `docker://${ref}`, `oci:${sdir}`);
  const dl = await dhub('pull', '-q', ref, ddir);
  runs.skopeoPull.push(sl.wallMs);
  runs.dhubPull.push(dl.wallMs);
  const got = await readFile(blobPath(ddir, c.made.manifestDigest)).catch(() => undefined);
  if (got === undefined)
    throw new Error(`dhub pull did not write manifest ${c.made.manifestDigest}`);
  await rm(sdir, { recursive: true, force: true });
  await rm(ddir, { recursive: true, force: true });
  return dl.peakRssMb;
}

/**
 * Floors in this process, no client and no process start: a pull of the layer to a file (bare
 * undici GET + SHA-256 + write), a push (POST + one streamed PATCH from the file + PUT), and
 * `node -e 0`.
 */
async function floors(c, runs) {
  const layer = c.made.layers[0];
  const blobUrl = `${c.url}/v2/${c.dRepo}/blobs/${layer.digest}`;
  const floorFile = join(c.workDir, `floor-${c.img.id}-${c.k}`);
  runs.bareFileGet.push(await timeOnce(() => undiciFileGet(blobUrl, floorFile)));
  await rm(floorFile, { force: true });
  const push = {
    url: c.url,
    repo: `bench/${c.img.id.toLowerCase()}-floor-${c.k}`,
    file: blobPath(c.layout, layer.digest),
    digest: layer.digest,
    size: layer.size,
  };
  runs.barePush.push(await timeOnce(() => barePushFile(push)));
  runs.nodeStart.push(await timeOnce(() => run(process.execPath, ['-e', '0'])));
}

/**
 * One run of an image against a fresh registry: skopeo running as root keeps its blob-info
 * cache in /var/lib/containers/cache whatever HOME is, and mounts a digest it has seen pushed to
 * that registry before instead of uploading it (later pushes took ~0.2 s for 256 MiB).
 */
async function oneRun(base, k, acc) {
  const fresh = await startRegistry();
  try {
    const repoBase = `bench/${base.img.id.toLowerCase()}`;
    const c = { ...base, k, host: fresh.host, url: fresh.url };
    c.sRepo = `${repoBase}-skopeo-${k}`;
    c.dRepo = `${repoBase}-dhub-${k}`;
    acc.rssPush = Math.max(acc.rssPush, await pushBoth(c, acc.runs));
    acc.rssPull = Math.max(acc.rssPull, await pullBoth(c, acc.runs));
    const target = { clients: c.clients, url: c.url, host: c.host, repo: c.dRepo };
    await firstLayerDownloads({ ...target, layer: c.made.layers[0] }, acc.runs, k);
    await floors(c, acc.runs);
  } finally {
    await fresh.stop();
  }
}

/** dhub against skopeo for one direction: medians, MB/s, speed-up and dhub's peak RSS. */
function versus(total, [dhubMs, skopeoMs], peakRssMb) {
  const d = median(dhubMs);
  const s = median(skopeoMs);
  return {
    dhubMs: d,
    skopeoMs: s,
    dhubMBps: mbPerSec(total, d),
    skopeoMBps: mbPerSec(total, s),
    speedupVsSkopeo: round(s / d),
    dhubPeakRssMb: peakRssMb,
  };
}

/** The results row of one image from its runs' samples. */
function summarise({ img, made, shaMBs }, { runs, rssPull, rssPush }) {
  const layerBytes = made.layers[0].size;
  const row = {
    image: img.id,
    totalBytes: made.total,
    runs: P.runs,
    sha256MBps: round(shaMBs, 1),
    pull: versus(made.total, [runs.dhubPull, runs.skopeoPull], rssPull),
    push: versus(made.total, [runs.dhubPush, runs.skopeoPush], rssPush),
    blobGet: {
      layerBytes,
      verifiedMs: median(runs.blobGet),
      bareMs: median(runs.bareGet),
      verifiedMBps: mbPerSec(layerBytes, median(runs.blobGet)),
      bareMBps: mbPerSec(layerBytes, median(runs.bareGet)),
    },
    floors: {
      layerBytes,
      bareGetMs: median(runs.bareGet),
      bareGetSha256Ms: median(runs.bareHashGet),
      socketGetSha256Ms: median(runs.socketHashGet),
      bareGetSha256FileMs: median(runs.bareFileGet),
      barePushMs: median(runs.barePush),
      nodeStartMs: median(runs.nodeStart),
    },
    downloads: summariseDownloads(runs, layerBytes),
    raw: runs,
  };
  row.pull.fractionOfSha256 = round(row.pull.dhubMBps / row.sha256MBps);
  row.blobGet.fractionOfSha256 = round(row.blobGet.verifiedMBps / row.sha256MBps);
  return row;
}

function logRow(row) {
  const { pull, push, blobGet, downloads } = row;
  log(
    `  ${row.image}: pull dhub ${pull.dhubMBps} MB/s vs skopeo ${pull.skopeoMBps} (x${pull.speedupVsSkopeo}), push x${push.speedupVsSkopeo}, blob get ${blobGet.verifiedMBps} MB/s, sha256 ${row.sha256MBps} MB/s, RSS pull ${pull.dhubPeakRssMb} MB push ${push.dhubPeakRssMb} MB`,
  );
  log(
    `  ${row.image}: client verified GET ${downloads.ways[0].medianMs} ms, best standard option ${downloads.bestStandard.label} ${downloads.bestStandard.medianMs} ms: x${downloads.clientVsBestStandard}`,
  );
}

/** Every run of one image (a layout of random layers), summarised. */
async function imageRuns(img, { clients, workDir, home }) {
  const layout = join(workDir, `layout-${img.id}`);
  const made = await makeLayout(layout, img.layers);
  const shaMBs = sha256Speed(await readFile(blobPath(layout, made.layers[0].digest)));
  const base = { img, made, layout, clients, workDir, home };
  const acc = {
    runs: {
      skopeoPush: [],
      dhubPush: [],
      skopeoPull: [],
      dhubPull: [],
      ...emptyDownloadSamples(),
      bareFileGet: [],
      barePush: [],
      nodeStart: [],
    },
    rssPush: 0,
    rssPull: 0,
  };
  for (let k = 0; k < P.runs; k++) await oneRun(base, k, acc);
  await rm(layout, { recursive: true, force: true });
  return summarise({ img, made, shaMBs }, acc);
}

/**
 * The throughput suite: one 256 MiB layer and 8 x 32 MiB (smaller when smoke), `P.runs` runs
 * each, with the in-process `clients` (see clients.mjs).
 */
export async function throughputSuite(clients, work) {
  const home = join(work.dir, 'skopeo-home');
  await mkdir(home, { recursive: true });
  const images = [
    { id: `1x${P.big / MiB}MiB`, layers: [P.big] },
    { id: `8x${P.small8 / MiB}MiB`, layers: Array(8).fill(P.small8) },
  ];
  const res = {};
  for (const img of images) {
    const row = await imageRuns(img, { clients, workDir: work.dir, home });
    logRow(row);
    res[img.id] = row;
  }
  return res;
}
