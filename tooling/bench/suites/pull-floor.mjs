// Issue 21's pull row against a floor, real registry with token auth on loopback: an image of
// 8 layers (P.small8 each, random bytes) pushed once, then per round three whole processes, each
// pulling it into a fresh OCI layout directory and timed from outside under /usr/bin/time -v:
// `dhub pull`, `skopeo copy docker://... oci:DIR`, and the floor (lib/floor-pull.mjs: bare undici,
// token + manifest + config + layers, each hashed with SHA-256 and written to its file, as many
// at once as dhub's default download concurrency). The order rotates between rounds so a noisy
// moment does not always land on the same tool. Each result must hold the pushed blobs.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blobPath, gzipRandomFile, imageManifest, makeLayout } from '../lib/layout.mjs';
import { log, median, round, sha } from '../lib/measure.mjs';
import { MiB, OCI_MANIFEST, P } from '../lib/params.mjs';
import { dhub, skopeoCopy, timed } from '../lib/processes.mjs';
import { startRegistry } from '../registry.mjs';

const FLOOR = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'floor-pull.mjs');
/** dhub's default download concurrency (`upload.maxConcurrentDownloads`). */
const DHUB_DOWNLOADS = 10;
/** The goal: dhub / skopeo speed-up of this pull. */
export const PULL_GOAL = 2.5;
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/**
 * A layer as registries hold them: `size` random bytes as a gzip stream stored at level 0, with
 * the gzip media type. (skopeo writing to `oci:` gzips a layer that is not compressed, so an
 * uncompressed layer would time gzip on skopeo's side and change its digests.)
 */
async function gzipLayer(blobs, size) {
  const tmp = join(blobs, `.tmp-${randomBytes(6).toString('hex')}`);
  const { digest, size: written, diffId } = await gzipRandomFile(tmp, size);
  await rename(tmp, join(blobs, digest.slice(7)));
  return { mediaType: OCI_LAYER_GZIP, digest, size: written, diffId };
}

/** An OCI layout of one image of `n` gzip layers of `size` random bytes each, tagged `v1`. */
export async function gzipLayout(dir, n, size) {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers = [];
  for (let i = 0; i < n; i++) layers.push(await gzipLayer(blobs, size));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, config: {} }));
  const cd = sha(config);
  await writeFile(join(blobs, cd.slice(7)), config);
  const manifest = imageManifest(cd, config.length, layers);
  const md = sha(manifest);
  await writeFile(join(blobs, md.slice(7)), manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const entry = { mediaType: OCI_MANIFEST, digest: md, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } };
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
  return { layers, manifestDigest: md, total: layers.reduce((a, l) => a + l.size, 0) };
}

const TOOLS = {
  dhub: (c, dir) => dhub('pull', '-q', c.ref, dir),
  skopeo: (c, dir) => skopeoCopy(c.home, ['--src-tls-verify=false'], `docker://${c.ref}`, `oci:${dir}`),
  floor: (c, dir) => timed('node', [FLOOR, c.ref, dir, String(DHUB_DOWNLOADS)]),
};

/** Whether a pulled layout holds the image: dhub and the floor keep the manifest as pushed. */
async function checkPulled(name, dir, made) {
  // skopeo writing to `oci:` gzips uncompressed layers (new layer digests, a new manifest); the
  // config blob it keeps as is
  const want = name === 'skopeo' ? made.configDigest : made.manifestDigest;
  const got = await stat(blobPath(dir, want)).catch(() => undefined);
  if (got === undefined) throw new Error(`${name} did not write ${want} into ${dir}`);
}

async function oneRound(c, k, samples) {
  const names = Object.keys(TOOLS);
  const order = names.map((_, i) => names[(i + k) % names.length]);
  for (const name of order) {
    const dir = join(c.workDir, `pull-floor-${c.id}-${name}-${k}`);
    const r = await TOOLS[name](c, dir);
    await checkPulled(name, dir, c.made);
    await rm(dir, { recursive: true, force: true });
    samples[name].push({ wallMs: r.wallMs, cpuMs: r.cpuMs, peakRssMb: r.peakRssMb });
  }
  const line = names.map((n) => `${n} ${Math.round(samples[n].at(-1).wallMs)} ms`).join(', ');
  log(`  ${c.id} round ${k + 1}: ${line}`);
}

function summary(xs) {
  return {
    ms: median(xs.map((x) => x.wallMs)),
    cpuMs: median(xs.map((x) => x.cpuMs ?? NaN)),
    peakRssMb: Math.max(...xs.map((x) => x.peakRssMb)),
  };
}

/** The image's config digest, read from its manifest in the layout. */
async function withConfigDigest(layout, made) {
  const manifest = JSON.parse(await readFile(blobPath(layout, made.manifestDigest), 'utf8'));
  return { ...made, configDigest: manifest.config.digest };
}

/**
 * The two images: gzip layers (as registries hold them) and uncompressed tar layers (the
 * throughput suite's image), each pushed with `dhub push` to its own repository.
 */
async function seedImages(reg, work) {
  const kinds = [
    { id: 'gzip', make: (dir) => gzipLayout(dir, 8, P.small8) },
    { id: 'tar', make: (dir) => makeLayout(dir, Array(8).fill(P.small8)) },
  ];
  const images = [];
  for (const { id, make } of kinds) {
    const layout = join(work.dir, `pull-floor-layout-${id}`);
    const made = await withConfigDigest(layout, await make(layout));
    const ref = `${reg.host}/bench/pull-floor-${id}:v1`;
    await dhub('push', '-q', layout, ref);
    await rm(layout, { recursive: true, force: true });
    images.push({ id, ref, made, workDir: work.dir, home: join(work.dir, 'skopeo-home') });
  }
  return images;
}

function imageResult(c, samples) {
  const [d, s, f] = [samples.dhub, samples.skopeo, samples.floor].map(summary);
  return {
    layers: c.id,
    bytes: c.made.total,
    dhub: d,
    skopeo: s,
    floor: f,
    dhubVsSkopeo: round(s.ms / d.ms),
    skopeoVsFloor: round(s.ms / f.ms),
    dhubVsFloor: round(d.ms / f.ms),
    holds: s.ms / d.ms >= PULL_GOAL,
    raw: samples,
  };
}

/**
 * The suite: pushes both images, then `P.pullFloorRounds` rounds of the three pulls of each.
 * @returns per image the medians, ratios and every sample
 */
export async function pullFloorSuite(work) {
  const rounds = P.pullFloorRounds;
  const reg = await startRegistry();
  try {
    const images = await seedImages(reg, work);
    const samples = images.map(() => ({ dhub: [], skopeo: [], floor: [] }));
    const load = loadavg()[0];
    for (let k = 0; k < rounds; k++)
      for (const [i, c] of images.entries()) await oneRound(c, k, samples[i]);
    return {
      layerCount: 8,
      layerMiB: P.small8 / MiB,
      rounds,
      concurrency: DHUB_DOWNLOADS,
      goal: PULL_GOAL,
      loadAverageStart: round(load),
      loadAverageEnd: round(loadavg()[0]),
      images: images.map((c, i) => imageResult(c, samples[i])),
    };
  } finally {
    await reg.stop();
  }
}

const LAYER_KIND = {
  gzip: 'gzip layers (as registries hold them)',
  tar: 'uncompressed tar layers (skopeo gzips them into `oci:`)',
};

/** The markdown of the suite's result (`table` from report.mjs). */
export function pullFloorLines(r, table) {
  const three = (x, k) => [x.dhub, x.skopeo, x.floor].map((y) => Math.round(y[k] * 10) / 10).join(' / ');
  const cells = r.images.map((x) => [
    LAYER_KIND[x.layers],
    `**${x.dhubVsSkopeo}x**`,
    three(x, 'ms'),
    `${x.skopeoVsFloor}x`,
    `${x.dhubVsFloor}x`,
    `>= ${r.goal}x: ${x.holds ? 'holds' : '**misses**'}`,
    three(x, 'cpuMs'),
    three(x, 'peakRssMb'),
  ]);
  return [
    '',
    `**Pull of ${r.layerCount} x ${r.layerMiB} MiB against a floor** (real registry with token auth; whole processes timed from outside, median of ${r.rounds} round${r.rounds === 1 ? '' : 's'}, the order rotating; the floor, \`tooling/bench/lib/floor-pull.mjs\`: bare undici, ${r.concurrency} blobs at once, each hashed with SHA-256 into its file; load average ${r.loadAverageStart} at the start, ${r.loadAverageEnd} at the end):`,
    '',
    ...table(
      ['image', 'dhub vs skopeo', 'ms dhub / skopeo / floor', 'skopeo / floor', 'dhub / floor', 'goal', 'CPU ms dhub / skopeo / floor', 'peak RSS MB dhub / skopeo / floor'],
      cells,
    ),
    '',
    'skopeo / floor is the most any client could gain over skopeo here; dhub / floor is what dhub spends over the bare work.',
  ];
}
