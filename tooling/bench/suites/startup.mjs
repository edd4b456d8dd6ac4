// Fixed cost per command: `dhub --version`, `digest`, `manifest` and `pull` of a one-layer 8 MiB
// image, each a whole process timed from outside (start to exit), against `skopeo` doing the same,
// with `node -e 0` (no Node program starts faster) as the floor; on the real registry with token
// auth and without auth. Small images and scripts calling `dhub` many times make this fixed cost,
// not throughput, the gap users meet first.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeLayout } from '../lib/layout.mjs';
import { log, median, round } from '../lib/measure.mjs';
import { DHUB, MiB, smoke } from '../lib/params.mjs';
import { timed } from '../lib/processes.mjs';
import { startRegistry } from '../registry.mjs';

/**
 * The environment of the Node processes (`dhub` and `node -e 0`). Node 20 reads and parses the
 * file `NODE_EXTRA_CA_CERTS` names when the process starts, before any JavaScript runs (about
 * 35 ms for Debian's bundle of 140 certificates, more than Node's whole start without it); Node 22+
 * reads it on first TLS use. No program can avoid that cost, and the loopback registries here use
 * plain HTTP, so the suite leaves the variable out unless `BENCH_EXTRA_CA=keep`; the report says
 * which.
 */
export const NODE_RUN_ENV =
  process.env.BENCH_EXTRA_CA === 'keep' ? {} : { NODE_EXTRA_CA_CERTS: undefined };
/** What the report says of `NODE_EXTRA_CA_CERTS` in the Node runs. */
export const EXTRA_CA_NOTE =
  process.env.NODE_EXTRA_CA_CERTS === undefined || process.env.NODE_EXTRA_CA_CERTS === ''
    ? 'not set'
    : process.env.BENCH_EXTRA_CA === 'keep'
      ? 'set, kept (BENCH_EXTRA_CA=keep)'
      : 'set in this environment, left out of the Node runs';

/** Rounds per command; each round runs both tools once, in alternating order. */
export const STARTUP_ROUNDS = smoke ? 1 : 11;
/** The one layer of the small image (an alpine image is about 3 MiB). */
export const SMALL_IMAGE_BYTES = smoke ? 256 * 1024 : 8 * MiB;

/**
 * Pushes a one-layer image of `SMALL_IMAGE_BYTES` random bytes to `host` (with `dhub push` of the
 * program at `entry`, reading the shared `DOCKER_CONFIG`) and returns its reference.
 */
export async function pushSmallImage(host, workDir, entry = DHUB) {
  const layout = join(workDir, 'layout-startup');
  await makeLayout(layout, [SMALL_IMAGE_BYTES]);
  const ref = `${host}/bench/startup-small:v1`;
  await timed('node', [entry, 'push', '-q', layout, ref]);
  await rm(layout, { recursive: true, force: true });
  return ref;
}

/**
 * The commands compared, as argument lists of dhub and skopeo for image `ref`; a pull writes into
 * the directory it is given. skopeo reads the same credentials as dhub and speaks plain HTTP to
 * the loopback registry, as dhub does by default.
 */
export function startupCommands(ref) {
  const authFile = join(process.env.DOCKER_CONFIG ?? '', 'config.json');
  const inspect = () => [
    'inspect',
    '--raw',
    '--authfile',
    authFile,
    '--tls-verify=false',
    `docker://${ref}`,
  ];
  return [
    { id: '--version', dhub: () => ['--version'], skopeo: () => ['--version'] },
    { id: 'digest', dhub: () => ['digest', ref], skopeo: inspect },
    { id: 'manifest', dhub: () => ['manifest', ref], skopeo: inspect },
    {
      id: 'pull',
      dhub: (dir) => ['pull', '-q', ref, dir],
      skopeo: (dir) => [
        'copy',
        '-q',
        '--authfile',
        authFile,
        '--src-tls-verify=false',
        `docker://${ref}`,
        `oci:${dir}`,
      ],
    },
  ];
}

/**
 * One round of one command: both tools (which goes first alternates by round, so a noisy moment
 * does not always land on the same tool), then `node -e 0`. Each pull gets a fresh directory.
 */
async function oneRound(cmd, k, ctx) {
  const pullDir = (tool) => join(ctx.workDir, `startup-pull-${tool}-${k}`);
  const runs = {
    dhub: () => timed('node', [DHUB, ...cmd.dhub(pullDir('dhub'))], NODE_RUN_ENV),
    skopeo: () => timed('skopeo', cmd.skopeo(pullDir('skopeo')), { HOME: ctx.skopeoHome }),
  };
  const order = k % 2 === 0 ? ['dhub', 'skopeo'] : ['skopeo', 'dhub'];
  const got = {};
  for (const tool of order) {
    got[tool] = await runs[tool]();
    await rm(pullDir(tool), { recursive: true, force: true });
  }
  // the same `node` binary `dhub` runs on
  got.node = await timed('node', ['-e', '0'], NODE_RUN_ENV);
  return got;
}

/** Medians of the rounds of one command and the ratios the goal is stated in. */
function summariseCommand(target, cmd, rounds) {
  const pick = (tool, key) => median(rounds.map((r) => r[tool][key]));
  const dhubMs = pick('dhub', 'wallMs');
  const skopeoMs = pick('skopeo', 'wallMs');
  const nodeMs = pick('node', 'wallMs');
  return {
    registry: target,
    command: cmd.id,
    rounds: rounds.length,
    dhubMs: round(dhubMs, 1),
    skopeoMs: round(skopeoMs, 1),
    nodeMs: round(nodeMs, 1),
    dhubVsSkopeo: round(dhubMs / skopeoMs),
    dhubVsSkopeoPlusNode: round(dhubMs / (skopeoMs + nodeMs)),
    dhubPeakRssMb: pick('dhub', 'peakRssMb'),
    skopeoPeakRssMb: pick('skopeo', 'peakRssMb'),
  };
}

/**
 * Every command against one registry, `STARTUP_ROUNDS` rounds each; `--version` reaches no
 * registry, so only with the first.
 */
async function targetRows(target, ref, ctx, first) {
  const rows = [];
  for (const cmd of startupCommands(ref).filter((c) => first || c.id !== '--version')) {
    const rounds = [];
    for (let k = 0; k < STARTUP_ROUNDS; k++) rounds.push(await oneRound(cmd, k, ctx));
    const row = summariseCommand(target, cmd, rounds);
    log(
      `  ${target} ${cmd.id}: dhub ${row.dhubMs} ms, skopeo ${row.skopeoMs} ms, node -e 0 ${row.nodeMs} ms (x${row.dhubVsSkopeo})`,
    );
    rows.push(row);
  }
  return rows;
}

/**
 * The start-up suite: `reg` is a running registry with token auth (credentials in the shared
 * `DOCKER_CONFIG`); a registry without auth is started for the suite and stopped after it.
 */
export async function startupSuite(reg, work) {
  const skopeoHome = join(work.dir, 'skopeo-home-startup');
  await mkdir(skopeoHome, { recursive: true });
  const ctx = { workDir: work.dir, skopeoHome };
  const open = await startRegistry({ auth: 'none' });
  try {
    const targets = [
      ['token auth', await pushSmallImage(reg.host, work.dir)],
      ['no auth', await pushSmallImage(open.host, work.dir)],
    ];
    const rows = [];
    for (const [i, [target, ref]] of targets.entries())
      rows.push(...(await targetRows(target, ref, ctx, i === 0)));
    return { imageBytes: SMALL_IMAGE_BYTES, rounds: STARTUP_ROUNDS, extraCaCerts: EXTRA_CA_NOTE, rows };
  } finally {
    await open.stop();
  }
}
