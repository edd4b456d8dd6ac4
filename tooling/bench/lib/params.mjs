// Command-line options, sizes and paths shared by every suite.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DHUB = join(ROOT, 'packages/cli/bin/dhub.js');
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
    };

/** Read-side buffer of the standard download options (undici stream, node:http, request). */
export const LARGE_HWM = 4 * MiB;
