// Command-line options, sizes and paths shared by every suite.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/**
 * The `dhub` entry the bench runs: `BENCH_DHUB` (a copy of the program, so a concurrent rebuild of
 * dist/ cannot change or hide it mid-run) or the workspace's.
 */
export const DHUB = process.env.BENCH_DHUB ?? join(ROOT, 'packages/cli/bin/dhub.js');
export const MiB = 1024 * 1024;

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

const argv = process.argv.slice(2);
/** `--smoke`: tiny sizes and few iterations, for CI. */
export const smoke = argv.includes('--smoke');
const outIdx = argv.indexOf('--out');
/** Where results.json and results.md go. */
export const OUT = resolve(
  outIdx >= 0 && argv[outIdx + 1] ? argv[outIdx + 1] : join(ROOT, 'bench-results'),
);

/** `--only a,b`: run only the named suites (see bench.mjs); every suite when absent. */
export const only = (() => {
  const i = argv.indexOf('--only');
  return i >= 0 && argv[i + 1] ? new Set(argv[i + 1].split(',')) : undefined;
})();

/** A whole-number command-line option `--name N`, or `fallback`. */
function intOption(name, fallback) {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} needs a whole number >= 1`);
  return n;
}

/**
 * The repository-scale suite (issue 21's rows): a multi-platform image of `platformMiB` per
 * platform in three layers (48/32/20%), `tags` tags sharing `baseLayers` with a `tagLayer` each,
 * `rounds` rounds (a fresh destination registry each). `--repo-platform-mib`, `--repo-tags` and
 * `--repo-rounds` override them.
 */
function repoParams() {
  const platformMiB = intOption('repo-platform-mib', smoke ? 1 : 100);
  const split = [0.48, 0.32, 0.2].map((f) => Math.max(4096, Math.round(platformMiB * MiB * f)));
  return {
    platforms: ['amd64', 'arm64', 's390x'],
    platformLayers: split,
    tags: intOption('repo-tags', smoke ? 4 : 30),
    baseLayers: smoke ? [128 * 1024, 64 * 1024] : [32 * MiB, 16 * MiB],
    tagLayer: smoke ? 32 * 1024 : 4 * MiB,
    rounds: intOption('repo-rounds', smoke ? 1 : 3),
    reruns: smoke ? 1 : 3,
  };
}

/** Iterations and sizes; also written into the results as `params`. */
export const P = smoke
  ? {
      warmup: 1,
      iters: 3,
      uploadIters: 3,
      upSizes: [64 * 1024, 256 * 1024],
      conc: 64 * 1024,
      big: 2 * MiB,
      runs: 1,
      small8: 256 * 1024,
      downloadRounds: 1,
      repo: repoParams(),
      pullFloorRounds: intOption('pull-floor-rounds', 1),
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
      downloadRounds: 3,
      repo: repoParams(),
      pullFloorRounds: intOption('pull-floor-rounds', 5),
    };

/** Read-side buffer of the standard download options (undici stream, node:http, request). */
export const LARGE_HWM = 4 * MiB;
