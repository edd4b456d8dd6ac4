// Image archives: a one-layer image exported from the registry to a tar file and imported back,
// `dhub export`/`dhub import` against `skopeo copy docker://... docker-archive:...` and back, in
// the same run; whole processes timed from outside, with their peak RSS.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeLayout } from '../lib/layout.mjs';
import { log, round } from '../lib/measure.mjs';
import { P } from '../lib/params.mjs';
import { dhub, skopeoCopy } from '../lib/processes.mjs';

/**
 * Run as root, skopeo keeps its blob-info cache in /var/lib/containers/cache whatever HOME says
 * (as another user, under the fresh XDG_DATA_HOME each run gets). From the export it learns that
 * the layer lives in the source repository and would mount it from there instead of uploading
 * it, which no archive tells dhub (nor `docker load`). Forgetting it before each skopeo import
 * makes both tools upload the same bytes.
 */
async function forgetSkopeoBlobLocations() {
  if (process.getuid?.() === 0)
    await rm('/var/lib/containers/cache/blob-info-cache-v1.boltdb', { force: true });
}

/** One export and one import with each tool; the archive files are removed afterwards. */
async function oneRound(reg, work, src, i) {
  const home = join(work.dir, 'skopeo-archives-home');
  const dhubFile = join(work.dir, `archive-dhub-${i}.tar`);
  const skopeoFile = join(work.dir, `archive-skopeo-${i}.tar`);
  try {
    const dExport = await dhub('export', '-q', src, dhubFile);
    const dImport = await dhub('import', '-q', dhubFile, `${reg.host}/bench/archive-dhub-${i}:v1`);
    const sExport = await skopeoCopy(home, ['--src-tls-verify=false'], `docker://${src}`, `docker-archive:${skopeoFile}:bench/archive:v1`);
    await forgetSkopeoBlobLocations();
    const sImport = await skopeoCopy(home, ['--dest-tls-verify=false'], `docker-archive:${skopeoFile}`, `docker://${reg.host}/bench/archive-skopeo-${i}:v1`);
    const bytes = (await stat(dhubFile)).size;
    return { dExport, dImport, sExport, sImport, bytes };
  } finally {
    await rm(dhubFile, { force: true });
    await rm(skopeoFile, { force: true });
  }
}

const row = (d, s) => ({
  dhubMs: Math.round(d.wallMs),
  skopeoMs: Math.round(s.wallMs),
  speedupVsSkopeo: round(s.wallMs / d.wallMs),
  dhubPeakRssMb: d.peakRssMb,
  skopeoPeakRssMb: s.peakRssMb,
});

/**
 * Pushes a one-layer image of `P.big` bytes, then exports it to a docker-archive file and imports
 * it into a new repository, with dhub and with skopeo; the fastest of `P.runs` rounds per tool.
 */
export async function archivesSuite(reg, work) {
  const layout = join(work.dir, 'layout-archives');
  const made = await makeLayout(layout, [P.big]);
  const src = `${reg.host}/bench/archivesrc:v1`;
  await dhub('push', '-q', layout, src);
  await rm(layout, { recursive: true, force: true });
  const rounds = [];
  for (let i = 0; i < P.runs; i++) rounds.push(await oneRound(reg, work, src, i));
  const best = (pick) => rounds.map(pick).sort((a, b) => a.wallMs - b.wallMs)[0];
  const out = {
    imageBytes: made.total,
    archiveBytes: rounds[0]?.bytes ?? 0,
    export: row(best((r) => r.dExport), best((r) => r.sExport)),
    import: row(best((r) => r.dImport), best((r) => r.sImport)),
  };
  for (const k of ['export', 'import']) {
    log(`  archive ${k}: dhub ${out[k].dhubMs} ms (${out[k].dhubPeakRssMb} MB), skopeo ${out[k].skopeoMs} ms (${out[k].skopeoPeakRssMb} MB)`);
  }
  return out;
}

/** Markdown rows for the report. */
export function archivesLines(a, table) {
  const cells = ['export', 'import'].map((k) => [
    k === 'export' ? 'registry -> docker-archive file' : 'docker-archive file -> registry',
    `**${a[k].speedupVsSkopeo}x**`,
    a[k].dhubMs,
    a[k].skopeoMs,
    `${a[k].dhubPeakRssMb} / ${a[k].skopeoPeakRssMb}`,
  ]);
  return [
    '',
    `**Image archives** (one ${Math.round(a.imageBytes / 2 ** 20)} MiB layer; \`dhub export\`/\`import\` vs \`skopeo copy docker://... docker-archive:...\` and back; whole processes, best of the rounds):`,
    '',
    ...table(['archive', 'dhub vs skopeo', 'dhub ms', 'skopeo ms', 'peak RSS dhub / skopeo MB'], cells),
  ];
}
