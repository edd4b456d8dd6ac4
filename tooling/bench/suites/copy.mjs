// Copy of a one-layer image within one registry (mounts) and across two, dhub against skopeo.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeLayout } from '../lib/layout.mjs';
import { log, round } from '../lib/measure.mjs';
import { P } from '../lib/params.mjs';
import { dhub, skopeoCopy } from '../lib/processes.mjs';

/** Copies `regA/bench/copysrc:v1` to `regA` and to `regB` with skopeo, then with dhub. */
export async function copySuite(regA, regB, work) {
  const layout = join(work.dir, 'layout-copy');
  const made = await makeLayout(layout, [P.big]);
  const home = join(work.dir, 'skopeo-home');
  const src = `${regA.host}/bench/copysrc:v1`;
  await dhub('push', '-q', layout, src);
  await rm(layout, { recursive: true, force: true });
  const out = {};
  for (const [id, dst] of [
    ['within', regA],
    ['across', regB],
  ]) {
    const s = await skopeoCopy(
      home,
      ['--src-tls-verify=false', '--dest-tls-verify=false'],
      `docker://${src}`,
      `docker://${dst.host}/bench/copy-${id}-skopeo:v1`,
    );
    const d = await dhub('copy', '-q', src, `${dst.host}/bench/copy-${id}-dhub:v1`);
    out[id] = {
      dhubMs: Math.round(d.wallMs),
      skopeoMs: Math.round(s.wallMs),
      speedupVsSkopeo: round(s.wallMs / d.wallMs),
      dhubPeakRssMb: d.peakRssMb,
      bytes: made.total,
    };
    log(`  copy ${id}: dhub ${Math.round(d.wallMs)} ms, skopeo ${Math.round(s.wallMs)} ms`);
  }
  return out;
}
