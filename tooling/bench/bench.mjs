// Benchmarks of issue 10: seed P-01..P-09 on loopback (real distribution registry and the
// simulator), each latency as a ratio to a bare undici request doing the same HTTP exchange, and
// 256 MiB throughput of the client and `dhub` against `skopeo copy` and Node's SHA-256 speed.
// Plain .mjs (Node 20 has no type stripping): imports the built dist/ of the packages by path, so
// run `pnpm bench` (which builds first) or build the packages before `node tooling/scripts/bench.mjs`.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bareAuth, dockerConfigDir, startRegistry } from './registry.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { DockerHubClient } = await import(join(ROOT, 'packages/services/dist/index.js'));
const { request, Agent } = await import(
  join(ROOT, 'packages/services/node_modules/undici/index.js')
);
const DHUB = join(ROOT, 'packages/cli/bin/dhub.js');
const run = promisify(execFile);

const MiB = 1024 * 1024;
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const outIdx = argv.indexOf('--out');
const OUT = resolve(
  outIdx >= 0 && argv[outIdx + 1] ? argv[outIdx + 1] : join(ROOT, 'bench-results'),
);
const P = smoke
  ? {
      warmup: 1,
      iters: 3,
      uploadIters: 3,
      upSizes: [64 * 1024, 256 * 1024],
      conc: 64 * 1024,
      big: 2 * MiB,
      runs: 1,
      small8: 256 * 1024,
    }
  : {
      warmup: 30,
      iters: 300,
      uploadIters: 20,
      upSizes: [1 * MiB, 10 * MiB],
      conc: 10 * MiB,
      big: 256 * MiB,
      runs: 3,
      small8: 32 * MiB,
    };

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
const sha = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;
const ms = (ns) => Number(ns) / 1e6;
const now = () => process.hrtime.bigint();

function stats(samplesMs) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const r = (x) => Math.round(x * 1000) / 1000;
  return { n: s.length, median: r(q(0.5)), p99: r(q(0.99)), min: r(s[0]), max: r(s[s.length - 1]) };
}

async function measure(fn, iters = P.iters, warmup = P.warmup) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const out = [];
  for (let i = 0; i < iters; i++) {
    const t = now();
    await fn(i);
    out.push(ms(now() - t));
  }
  return stats(out);
}

async function drain(body) {
  for await (const _ of body);
}

async function bare(method, url, { headers = {}, body, expect } = {}) {
  const res = await request(url, {
    method,
    headers: { ...(await bareAuth(url)), ...headers },
    body,
  });
  const buf = method === 'HEAD' ? undefined : Buffer.from(await res.body.arrayBuffer());
  if (method === 'HEAD') await drain(res.body);
  if (expect !== undefined && res.statusCode !== expect)
    throw new Error(`${method} ${url}: HTTP ${res.statusCode}`);
  return { res, buf };
}

// ---------------------------------------------------------------- image helpers
/** Writes `size` random bytes to `file` and returns its digest. */
async function randomFile(file, size) {
  const h = createHash('sha256');
  const ws = createWriteStream(file);
  for (let left = size; left > 0;) {
    const n = Math.min(left, 4 * MiB);
    const b = randomBytes(n);
    h.update(b);
    if (!ws.write(b)) await new Promise((r) => ws.once('drain', r));
    left -= n;
  }
  await new Promise((r, j) => ws.end((e) => (e ? j(e) : r())));
  return `sha256:${h.digest('hex')}`;
}

/** An OCI image layout with the given layer sizes (random bytes, uncompressed tar media type). */
async function makeLayout(dir, layerSizes) {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers = [];
  for (const [i, size] of layerSizes.entries()) {
    const tmp = join(dir, `layer-${i}`);
    const digest = await randomFile(tmp, size);
    await rm(join(blobs, digest.slice(7)), { force: true });
    await import('node:fs/promises').then((f) => f.rename(tmp, join(blobs, digest.slice(7))));
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
  const cd = sha(config);
  await writeFile(join(blobs, cd.slice(7)), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: cd,
        size: config.length,
      },
      layers,
    }),
  );
  const md = sha(manifest);
  await writeFile(join(blobs, md.slice(7)), manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: md,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
  return { layers, manifestDigest: md, total: layerSizes.reduce((a, b) => a + b, 0) };
}

/**
 * Runs a command under /usr/bin/time -v (when present): wall time and peak RSS from outside.
 * Retries once, 30 s later, when a concurrent rebuild of a package's dist/ hid a module.
 */
async function timed(cmd, args, env = {}) {
  try {
    return await timedOnce(cmd, args, env);
  } catch (err) {
    if (!String(err.message).includes('ERR_MODULE_NOT_FOUND')) throw err;
    log('  dist/ missing (a package is being rebuilt): retrying in 30 s');
    await new Promise((r) => setTimeout(r, 30_000));
    return timedOnce(cmd, args, env);
  }
}

async function timedOnce(cmd, args, env) {
  const useTime = await stat('/usr/bin/time').then(
    () => true,
    () => false,
  );
  const [c, a] = useTime ? ['/usr/bin/time', ['-v', cmd, ...args]] : [cmd, args];
  const t = now();
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
  let peakKb = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (s) => (peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))),
          () => {},
        );
      }, 20);
  // a stuck child (seen once with skopeo) must not hang the run: kill it and fail
  const limit = setTimeout(() => child.kill('SIGKILL'), smoke ? 50_000 : 300_000);
  const code = await new Promise((r) => child.once('exit', r));
  clearTimeout(limit);
  const wallMs = ms(now() - t);
  if (poll) clearInterval(poll);
  if (useTime) peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${err}\n${out}`);
  return { wallMs, peakRssMb: Math.round((peakKb / 1024) * 10) / 10 };
}

// A fresh HOME per skopeo run: its blob-info cache would otherwise remember where a digest was
// pushed before and mount it from there instead of uploading (making later pushes near free).
let skopeoHomes = 0;
/** skopeo reads the same credentials as dhub (the shared DOCKER_CONFIG's config.json). */
const authFile = () => join(process.env.DOCKER_CONFIG ?? '', 'config.json');

const skopeoEnv = (parent) => {
  const home = join(parent, `h${skopeoHomes++}`);
  mkdirSync(home, { recursive: true });
  return {
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  };
};

// ---------------------------------------------------------------- latency suites (P-01..P-09)
async function latencySuite(target, client, work) {
  const { url, host } = target;
  const repo = 'bench/small';
  const ref = `${host}/${repo}:v1`;
  const layer = randomBytes(1024);
  const config = Buffer.from(
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  );
  const ld = await client.blobs.upload(`${host}/${repo}`, layer);
  const cd = await client.blobs.upload(`${host}/${repo}`, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: cd,
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: ld, size: layer.length },
      ],
    }),
  );
  await client.manifests.put(ref, manifest);
  for (const t of ['v2', 'v3', 'latest'])
    await client.manifests.put(`${host}/${repo}:${t}`, manifest);
  const base = `${url}/v2/${repo}`;
  const r = {};
  const pair = async (id, name, clientFn, bareFn) => {
    const c = await measure(clientFn);
    const b = await measure(bareFn);
    r[id] = {
      name,
      client: c,
      bare: b,
      ratioMedian: Math.round((c.median / b.median) * 100) / 100,
    };
    log(`  ${id} ${name}: client ${c.median} ms, bare ${b.median} ms, x${r[id].ratioMedian}`);
  };
  await pair(
    'P-01/P-02',
    'get manifest (p50 / p99)',
    () => client.manifests.get(ref),
    () =>
      bare('GET', `${base}/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT }, expect: 200 }),
  );
  await pair(
    'P-03',
    'list tags',
    () => client.tags.list(`${host}/${repo}`),
    async () => {
      const { buf } = await bare('GET', `${base}/tags/list`, { expect: 200 });
      JSON.parse(buf.toString('utf8'));
    },
  );
  await pair(
    'P-04',
    'HEAD blob',
    () => client.blobs.exists(`${host}/${repo}`, ld),
    () => bare('HEAD', `${base}/blobs/${ld}`, { expect: 200 }),
  );
  await pair(
    'P-05',
    'push manifest',
    () => client.manifests.put(`${host}/${repo}:p05`, manifest),
    () =>
      bare('PUT', `${base}/manifests/p05b`, {
        headers: { 'content-type': OCI_MANIFEST },
        body: manifest,
        expect: 201,
      }),
  );

  // P-06/P-07: fresh random bytes every iteration (existing blobs would be skipped)
  for (const [id, size] of [
    ['P-06', P.upSizes[0]],
    ['P-07', P.upSizes[1]],
  ]) {
    const total = P.uploadIters + 2;
    const mono = Array.from({ length: total }, () => randomBytes(size));
    const chunked = Array.from({ length: total }, () => randomBytes(size));
    const bareBufs = Array.from({ length: total }, () => randomBytes(size));
    const chunkSize = Math.max(64 * 1024, Math.floor(size / 4));
    const m = await measure(
      (i) => work.bigChunk.blobs.upload(`${host}/bench/up`, mono[i % total]),
      P.uploadIters,
      2,
    );
    const c = await measure(
      (i) => client.blobs.uploadChunked(`${host}/bench/up`, chunked[i % total], { chunkSize }),
      P.uploadIters,
      2,
    );
    const b = await measure(
      async (i) => {
        const buf = bareBufs[i % total];
        const start = await bare('POST', `${base.replace(repo, 'bench/up')}/blobs/uploads/`, {
          expect: 202,
        });
        const loc = new URL(start.res.headers.location, url);
        loc.searchParams.set('digest', sha(buf));
        await bare('PUT', loc.toString(), {
          headers: { 'content-type': 'application/octet-stream' },
          body: buf,
          expect: 201,
        });
      },
      P.uploadIters,
      2,
    );
    r[id] = {
      name: `upload ${size / MiB} MiB blob`,
      monolithic: m,
      chunked: { ...c, chunkSize },
      bareMonolithic: b,
      ratioMedian: Math.round((m.median / b.median) * 100) / 100,
    };
    log(
      `  ${id} upload ${size} B: mono ${m.median} ms, chunked ${c.median} ms, bare ${b.median} ms`,
    );
  }

  // P-08: 10 concurrent verified downloads of one blob; P-09: 5 concurrent uploads of distinct blobs
  const dl = randomBytes(P.conc);
  const dld = await client.blobs.upload(`${host}/bench/conc`, dl);
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const down = () =>
    pipeline(client.blobs.get(`${host}/bench/conc`, dld, { size: dl.length }), sink());
  await down();
  const single = async (n, fn) => {
    const t = now();
    await Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
    const s = ms(now() - t) / 1000;
    return {
      n,
      seconds: Math.round(s * 1000) / 1000,
      mbPerSec: Math.round(((n * P.conc) / 1e6 / s) * 10) / 10,
    };
  };
  let errors = 0;
  const guard = (fn) => async (i) => {
    try {
      await fn(i);
    } catch (e) {
      errors++;
      log(`  error: ${e.message}`);
    }
  };
  const d1 = await single(1, guard(down));
  const d10 = await single(10, guard(down));
  const ups = Array.from({ length: 6 }, () => randomBytes(P.conc));
  const u1 = await single(
    1,
    guard(() => client.blobs.upload(`${host}/bench/conc`, ups[5])),
  );
  const u5 = await single(
    5,
    guard((i) => client.blobs.upload(`${host}/bench/conc`, ups[i])),
  );
  r['P-08'] = { name: '10 concurrent downloads', single: d1, concurrent: d10, errors };
  r['P-09'] = { name: '5 concurrent uploads', single: u1, concurrent: u5, errors };
  log(
    `  P-08 ${d10.mbPerSec} MB/s (single ${d1.mbPerSec}); P-09 ${u5.mbPerSec} MB/s (single ${u1.mbPerSec}); errors ${errors}`,
  );
  if (errors > 0) throw new Error(`${errors} errors in concurrent transfers`);
  return r;
}

// ---------------------------------------------------------------- throughput vs skopeo
async function throughputSuite(client, work) {
  const res = {};
  const home = join(work.dir, 'skopeo-home');
  await mkdir(home, { recursive: true });
  // SHA-256 speed over the same bytes (read into memory once, hashed in 1 MiB steps)
  const images = [
    { id: `1x${P.big / MiB}MiB`, layers: [P.big] },
    { id: `8x${P.small8 / MiB}MiB`, layers: Array(8).fill(P.small8) },
  ];
  for (const img of images) {
    const layout = join(work.dir, `layout-${img.id}`);
    const made = await makeLayout(layout, img.layers);
    const bytes = await readFile(join(layout, 'blobs', 'sha256', made.layers[0].digest.slice(7)));
    const shaT = now();
    const h = createHash('sha256');
    for (let o = 0; o < bytes.length; o += MiB) h.update(bytes.subarray(o, o + MiB));
    h.digest();
    const shaMBs = bytes.length / 1e6 / (ms(now() - shaT) / 1000);
    const mbps = (msT) => Math.round((made.total / 1e6 / (msT / 1000)) * 10) / 10;
    const runs = {
      skopeoPush: [],
      dhubPush: [],
      skopeoPull: [],
      dhubPull: [],
      blobGet: [],
      bareGet: [],
      bareHashGet: [],
      socketHashGet: [],
      bareFileGet: [],
      barePush: [],
      nodeStart: [],
    };
    let rssPush = 0;
    let rssPull = 0;
    for (let k = 0; k < P.runs; k++) {
      // A fresh registry per run: skopeo running as root keeps its blob-info cache in
      // /var/lib/containers/cache whatever HOME is, and mounts a digest it has seen pushed to that
      // registry before instead of uploading it (later pushes took ~0.2 s for 256 MiB).
      const fresh = await startRegistry();
      try {
        const { host, url } = fresh;
        const sRepo = `bench/${img.id.toLowerCase()}-skopeo-${k}`;
        const dRepo = `bench/${img.id.toLowerCase()}-dhub-${k}`;
        // push: skopeo first (its blob-info cache cannot know the dhub repo), each to a fresh repo
        const sp = await timed(
          'skopeo',
          [
            'copy',
            '--authfile',
            authFile(),
            '-q',
            '--dest-tls-verify=false',
            `oci:${layout}`,
            `docker://${host}/${sRepo}:v1`,
          ],
          skopeoEnv(home),
        );
        const dp = await timed('node', [DHUB, 'push', '-q', layout, `${host}/${dRepo}:v1`]);
        runs.skopeoPush.push(sp.wallMs);
        runs.dhubPush.push(dp.wallMs);
        rssPush = Math.max(rssPush, dp.peakRssMb);
        // pull: each into a fresh OCI directory, from the dhub-pushed repo
        const sdir = join(work.dir, `pull-skopeo-${img.id}-${k}`);
        const ddir = join(work.dir, `pull-dhub-${img.id}-${k}`);
        const sl = await timed(
          'skopeo',
          [
            'copy',
            '--authfile',
            authFile(),
            '-q',
            '--src-tls-verify=false',
            `docker://${host}/${dRepo}:v1`,
            `oci:${sdir}`,
          ],
          skopeoEnv(home),
        );
        const dl = await timed('node', [DHUB, 'pull', '-q', `${host}/${dRepo}:v1`, ddir]);
        runs.skopeoPull.push(sl.wallMs);
        runs.dhubPull.push(dl.wallMs);
        rssPull = Math.max(rssPull, dl.peakRssMb);
        // check that dhub pulled what was pushed
        const got = await readFile(
          join(ddir, 'blobs', 'sha256', made.manifestDigest.slice(7)),
        ).catch(() => undefined);
        if (got === undefined)
          throw new Error(`dhub pull did not write manifest ${made.manifestDigest}`);
        await rm(sdir, { recursive: true, force: true });
        await rm(ddir, { recursive: true, force: true });
        // first layer: verified client stream vs bare undici stream (no hashing) to a null sink,
        // three of each per run, alternating (one sample was too easily hit by a noisy moment)
        const L = made.layers[0];
        const bareUrl = `${url}/v2/${dRepo}/blobs/${L.digest}`;
        let t = now();
        for (let i = 0; i < (smoke ? 1 : 3); i++) {
          t = now();
          await pipeline(
            client.blobs.get(`${host}/${dRepo}`, L.digest, { size: L.size }),
            new Writable({ write: (_c, _e, cb) => cb() }),
          );
          runs.blobGet.push(ms(now() - t));
          t = now();
          const br = await request(bareUrl, { headers: await bareAuth(bareUrl) });
          if (br.statusCode !== 200) throw new Error(`bare GET blob: HTTP ${br.statusCode}`);
          await drain(br.body);
          runs.bareGet.push(ms(now() - t));
        }
        // Floors, in this process with bare undici (no client, no process start): what a verified
        // download (GET + SHA-256), a pull of the layer to a file (GET + SHA-256 + write) and a
        // push (POST + one streamed PATCH from the file + PUT) cost on this machine and registry.
        t = now();
        const hr = await request(bareUrl, { headers: await bareAuth(bareUrl) });
        const h1 = createHash('sha256');
        for await (const c of hr.body) h1.update(c);
        h1.digest();
        runs.bareHashGet.push(ms(now() - t));
        // The machine's own ceiling for a verified download: one socket read into a reused 1 MiB
        // buffer and hashed, no HTTP library (the response head is hashed too; it is tiny).
        t = now();
        await socketHashGet(bareUrl, await bareAuth(bareUrl), L.size);
        runs.socketHashGet.push(ms(now() - t));
        const floorFile = join(work.dir, `floor-${img.id}-${k}`);
        t = now();
        const fr = await request(bareUrl, { headers: await bareAuth(bareUrl) });
        const h2 = createHash('sha256');
        await pipeline(
          fr.body,
          new Transform({
            transform(c, _e, cb) {
              h2.update(c);
              cb(null, c);
            },
          }),
          createWriteStream(floorFile, { highWaterMark: 4 * MiB }),
        );
        h2.digest();
        runs.bareFileGet.push(ms(now() - t));
        await rm(floorFile, { force: true });
        const layerFile = join(layout, 'blobs', 'sha256', L.digest.slice(7));
        const pRepo = `bench/${img.id.toLowerCase()}-floor-${k}`;
        t = now();
        const started = await bare('POST', `${url}/v2/${pRepo}/blobs/uploads/`, { expect: 202 });
        const patchUrl = new URL(started.res.headers.location, url).toString();
        const pr = await request(patchUrl, {
          method: 'PATCH',
          headers: {
            ...(await bareAuth(`${url}/v2/${pRepo}/blobs/uploads/`)),
            'content-type': 'application/octet-stream',
            'content-length': String(L.size),
            'content-range': `0-${L.size - 1}`,
          },
          body: createReadStream(layerFile, { highWaterMark: MiB }),
        });
        await drain(pr.body);
        if (pr.statusCode !== 202) throw new Error(`bare PATCH: HTTP ${pr.statusCode}`);
        const commit = new URL(pr.headers.location, url);
        commit.searchParams.set('digest', L.digest);
        const put = await request(commit, {
          method: 'PUT',
          headers: {
            ...(await bareAuth(`${url}/v2/${pRepo}/blobs/uploads/`)),
            'content-length': '0',
          },
        });
        await drain(put.body);
        if (put.statusCode !== 201) throw new Error(`bare PUT: HTTP ${put.statusCode}`);
        runs.barePush.push(ms(now() - t));
        t = now();
        await run(process.execPath, ['-e', '0']);
        runs.nodeStart.push(ms(now() - t));
      } finally {
        await fresh.stop();
      }
    }
    const med = (a) => stats(a).median;
    /** dhub against skopeo for one direction: medians, MB/s, speed-up and dhub's peak RSS. */
    const versus = (dhub, skopeo, peakRssMb) => ({
      dhubMs: med(dhub),
      skopeoMs: med(skopeo),
      dhubMBps: mbps(med(dhub)),
      skopeoMBps: mbps(med(skopeo)),
      speedupVsSkopeo: Math.round((med(skopeo) / med(dhub)) * 100) / 100,
      dhubPeakRssMb: peakRssMb,
    });
    const layerMBs = (msT) => Math.round((made.layers[0].size / 1e6 / (msT / 1000)) * 10) / 10;
    const row = {
      image: img.id,
      totalBytes: made.total,
      runs: P.runs,
      sha256MBps: Math.round(shaMBs * 10) / 10,
      pull: versus(runs.dhubPull, runs.skopeoPull, rssPull),
      push: versus(runs.dhubPush, runs.skopeoPush, rssPush),
      blobGet: {
        layerBytes: made.layers[0].size,
        verifiedMs: med(runs.blobGet),
        bareMs: med(runs.bareGet),
        verifiedMBps: layerMBs(med(runs.blobGet)),
        bareMBps: layerMBs(med(runs.bareGet)),
      },
      floors: {
        layerBytes: made.layers[0].size,
        bareGetMs: med(runs.bareGet),
        bareGetSha256Ms: med(runs.bareHashGet),
        socketGetSha256Ms: med(runs.socketHashGet),
        bareGetSha256FileMs: med(runs.bareFileGet),
        barePushMs: med(runs.barePush),
        nodeStartMs: med(runs.nodeStart),
      },
      raw: runs,
    };
    row.pull.fractionOfSha256 = Math.round((row.pull.dhubMBps / row.sha256MBps) * 100) / 100;
    row.blobGet.fractionOfSha256 =
      Math.round((row.blobGet.verifiedMBps / row.sha256MBps) * 100) / 100;
    res[img.id] = row;
    log(
      `  ${img.id}: pull dhub ${row.pull.dhubMBps} MB/s vs skopeo ${row.pull.skopeoMBps} (x${row.pull.speedupVsSkopeo}), push x${row.push.speedupVsSkopeo}, blob get ${row.blobGet.verifiedMBps} MB/s, sha256 ${row.sha256MBps} MB/s, RSS pull ${rssPull} MB push ${rssPush} MB`,
    );
    await rm(layout, { recursive: true, force: true });
  }
  return res;
}

// ---------------------------------------------------------------- copy (within one registry, across two)
async function copySuite(regA, regB, work) {
  const layout = join(work.dir, 'layout-copy');
  const made = await makeLayout(layout, [P.big]);
  const home = join(work.dir, 'skopeo-home');
  await timed('node', [DHUB, 'push', '-q', layout, `${regA.host}/bench/copysrc:v1`]);
  await rm(layout, { recursive: true, force: true });
  const out = {};
  for (const [id, dst] of [
    ['within', regA],
    ['across', regB],
  ]) {
    const s = await timed(
      'skopeo',
      [
        'copy',
        '--authfile',
        authFile(),
        '-q',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${regA.host}/bench/copysrc:v1`,
        `docker://${dst.host}/bench/copy-${id}-skopeo:v1`,
      ],
      skopeoEnv(home),
    );
    const d = await timed('node', [
      DHUB,
      'copy',
      '-q',
      `${regA.host}/bench/copysrc:v1`,
      `${dst.host}/bench/copy-${id}-dhub:v1`,
    ]);
    out[id] = {
      dhubMs: Math.round(d.wallMs),
      skopeoMs: Math.round(s.wallMs),
      speedupVsSkopeo: Math.round((s.wallMs / d.wallMs) * 100) / 100,
      dhubPeakRssMb: d.peakRssMb,
      bytes: made.total,
    };
    log(`  copy ${id}: dhub ${Math.round(d.wallMs)} ms, skopeo ${Math.round(s.wallMs)} ms`);
  }
  return out;
}

// ---------------------------------------------------------------- markdown
function markdown(r) {
  const L = [];
  L.push(
    `Machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memGiB} GiB RAM, Node ${r.machine.node}, ${r.machine.registry}, ${r.machine.skopeo}; ${r.date}${r.smoke ? ' (SMOKE: tiny sizes, not representative)' : ''}.`,
    '',
  );
  for (const [tname, t] of Object.entries(r.latency)) {
    L.push(
      `### Latency on ${tname} (client vs bare undici request, ${P.iters} iterations after ${P.warmup} warm-up)`,
      '',
    );
    L.push(
      '| id | operation | client / bare (median) | client median ms | client p99 | min | max | bare median ms | bare p99 |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const id of ['P-01/P-02', 'P-03', 'P-04', 'P-05']) {
      const x = t[id];
      L.push(
        `| ${id} | ${x.name} | **${x.ratioMedian}x** | ${x.client.median} | ${x.client.p99} | ${x.client.min} | ${x.client.max} | ${x.bare.median} | ${x.bare.p99} |`,
      );
    }
    for (const id of ['P-06', 'P-07']) {
      const x = t[id];
      L.push(
        `| ${id} | ${x.name}: monolithic (chunked: ${x.chunked.median} ms median, ${x.chunked.chunkSize} B chunks) | **${x.ratioMedian}x** | ${x.monolithic.median} | ${x.monolithic.p99} | ${x.monolithic.min} | ${x.monolithic.max} | ${x.bareMonolithic.median} | ${x.bareMonolithic.p99} |`,
      );
    }
    L.push('');
    L.push(
      '| id | operation | aggregate MB/s | single stream MB/s | aggregate / single | errors |',
      '|---|---|---|---|---|---|',
    );
    for (const id of ['P-08', 'P-09']) {
      const x = t[id];
      L.push(
        `| ${id} | ${x.name} (${x.concurrent.n} x ${P.conc} B) | ${x.concurrent.mbPerSec} | ${x.single.mbPerSec} | **${Math.round((x.concurrent.mbPerSec / x.single.mbPerSec) * 100) / 100}x** | ${x.errors} |`,
      );
    }
    L.push('');
  }
  L.push(
    `### Throughput on the real registry (a fresh registry per run, median of ${P.runs} runs; wall time of the whole process, measured from outside; the in-process verified and bare GETs: median of 3 per run)`,
    '',
  );
  L.push(
    '| image | dhub pull vs skopeo | dhub push vs skopeo | dhub pull / SHA-256 | verified blob GET / SHA-256 | dhub pull MB/s | skopeo pull MB/s | dhub push MB/s | skopeo push MB/s | verified GET MB/s | bare GET MB/s | SHA-256 MB/s | peak RSS pull / push MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const x of Object.values(r.throughput)) {
    L.push(
      `| ${x.image} | **${x.pull.speedupVsSkopeo}x** | **${x.push.speedupVsSkopeo}x** | ${x.pull.fractionOfSha256} | ${x.blobGet.fractionOfSha256} | ${x.pull.dhubMBps} | ${x.pull.skopeoMBps} | ${x.push.dhubMBps} | ${x.push.skopeoMBps} | ${x.blobGet.verifiedMBps} | ${x.blobGet.bareMBps} | ${x.sha256MBps} | ${x.pull.dhubPeakRssMb} / ${x.push.dhubPeakRssMb} |`,
    );
  }
  L.push(
    '',
    `**Floors, same run** (first layer of each image, bare undici or a bare socket in the benchmark process: no client, no process start; median of ${P.runs}):`,
    '',
    '| image | layer MB | bare undici GET ms | undici GET + SHA-256 ms | socket GET + SHA-256 ms | undici GET + SHA-256 + file ms | push: POST + streamed PATCH + PUT ms | `node -e 0` ms | dhub pull ms | skopeo pull ms | dhub push ms | skopeo push ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const x of Object.values(r.throughput)) {
    const f = x.floors;
    L.push(
      `| ${x.image} | ${Math.round(f.layerBytes / 1e5) / 10} | ${Math.round(f.bareGetMs)} | ${Math.round(f.bareGetSha256Ms)} | ${Math.round(f.socketGetSha256Ms)} | ${Math.round(f.bareGetSha256FileMs)} | ${Math.round(f.barePushMs)} | ${Math.round(f.nodeStartMs)} | ${Math.round(x.pull.dhubMs)} | ${Math.round(x.pull.skopeoMs)} | ${Math.round(x.push.dhubMs)} | ${Math.round(x.push.skopeoMs)} |`,
    );
  }
  if (r.copy) {
    L.push(
      '',
      '| copy (one layer) | dhub vs skopeo | dhub ms | skopeo ms | dhub peak RSS MB |',
      '|---|---|---|---|---|',
    );
    for (const [k, x] of Object.entries(r.copy))
      L.push(
        `| ${k} registry | **${x.speedupVsSkopeo}x** | ${x.dhubMs} | ${x.skopeoMs} | ${x.dhubPeakRssMb} |`,
      );
  }
  return `${L.join('\n')}\n`;
}

/**
 * GET over a bare socket (`onread` into one reused 1 MiB buffer), hashing every byte received,
 * until the response head and `size` body bytes have arrived.
 */
async function socketHashGet(url, headers, size) {
  const u = new URL(url);
  const { connect } = await import('node:net');
  const h = createHash('sha256');
  const buffer = Buffer.allocUnsafe(MiB);
  let total = 0;
  let headEnd = -1;
  let head = '';
  await new Promise((done, fail) => {
    const sock = connect(
      {
        host: u.hostname,
        port: Number(u.port),
        onread: {
          buffer,
          callback(n, buf) {
            const chunk = buf.subarray(0, n);
            h.update(chunk);
            total += n;
            if (headEnd < 0) {
              head += chunk.toString('latin1');
              const i = head.indexOf('\r\n\r\n');
              if (i >= 0) {
                if (!head.startsWith('HTTP/1.1 200'))
                  fail(new Error(`socket GET: ${head.split('\r\n')[0]}`));
                headEnd = i + 4;
              }
            }
            if (headEnd >= 0 && total - headEnd >= size) {
              sock.destroy();
              done();
            }
          },
        },
      },
      () => {
        const lines = Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        sock.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\n${lines}\r\n`);
      },
    );
    sock.on('error', fail);
    sock.on('close', () => fail(new Error(`socket GET: closed after ${total} bytes`)));
  });
  h.digest();
}

/** Starts `dhub serve` (in-memory simulator, no auth) on a free loopback port. */
async function startSimulatorProcess() {
  const child = spawn(process.execPath, [DHUB, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolveUrl(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`dhub serve exited with ${code}: ${out}`)));
  });
  child.stdout.resume();
  return {
    url,
    close: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------- main
async function main() {
  const started = Date.now();
  const work = { dir: await mkdtemp(join(tmpdir(), 'bench-')) };
  const cleanups = [async () => rm(work.dir, { recursive: true, force: true })];
  // Every client (in-process, dhub, skopeo --authfile) finds the registries' credentials here.
  process.env.DOCKER_CONFIG = await dockerConfigDir();
  cleanups.push(() => rm(process.env.DOCKER_CONFIG, { recursive: true, force: true }));
  const opts = { cache: { enabled: false }, resilience: { maxRetries: 0 } };
  const client = new DockerHubClient(opts);
  work.bigChunk = new DockerHubClient({ ...opts, upload: { chunkSizeMb: 64 } });
  cleanups.push(
    () => client.close(),
    () => work.bigChunk.close(),
  );
  try {
    const reg = await startRegistry();
    cleanups.push(reg.stop);
    const reg2 = await startRegistry();
    cleanups.push(reg2.stop);
    // The simulator runs in its own process (`dhub serve`), as a registry would: in the
    // benchmark's process it would share the client's thread and halve every number.
    const simServer = await startSimulatorProcess();
    cleanups.push(() => simServer.close());
    const simHost = new URL(simServer.url).host;
    const [skopeoV, regV] = await Promise.all([
      run('skopeo', ['--version']).then(
        (x) => x.stdout.trim(),
        () => 'skopeo ?',
      ),
      run('docker-registry', ['--version']).then(
        (x) => x.stdout.trim().split('\n')[0],
        () => 'docker-registry ?',
      ),
    ]);
    const result = {
      date: new Date().toISOString(),
      smoke,
      params: P,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? '?',
        memGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        skopeo: skopeoV,
        registry: regV,
      },
      latency: {},
    };
    log(`real registry ${reg.url}`);
    result.latency['real registry (docker-registry, token auth)'] = await latencySuite(
      reg,
      client,
      work,
    );
    log(`simulator ${simServer.url}`);
    result.latency['simulator (`dhub serve` process, loopback HTTP)'] = await latencySuite(
      { url: simServer.url, host: simHost },
      client,
      work,
    );
    log('throughput vs skopeo');
    result.throughput = await throughputSuite(client, work);
    log('copy');
    result.copy = await copySuite(reg, reg2, work);
    result.durationSeconds = Math.round((Date.now() - started) / 1000);
    await mkdir(OUT, { recursive: true });
    await writeFile(join(OUT, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
    const md = markdown(result);
    await writeFile(join(OUT, 'results.md'), md);
    process.stdout.write(md);
    log(`wrote ${join(OUT, 'results.json')} and results.md in ${result.durationSeconds} s`);
  } finally {
    for (const c of cleanups.reverse())
      await Promise.resolve(c()).catch((e) => log(`cleanup: ${e.message}`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`bench failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
