// The markdown summary of a results object (results.md, and stdout).
import { mbPerSec } from './lib/measure.mjs';
import { archivesLines } from './suites/archives.mjs';
import { pullFloorLines } from './suites/pull-floor.mjs';
import { repositoryLines } from './suites/repository.mjs';

const table = (head, rows) => [
  `| ${head.join(' | ')} |`,
  `|${head.map(() => '---').join('|')}|`,
  ...rows.map((cells) => `| ${cells.join(' | ')} |`),
];

function header(r) {
  const m = r.machine;
  const smoke = r.smoke ? ' (SMOKE: tiny sizes, not representative)' : '';
  const load =
    m.loadAverage === undefined ? '' : `; load average at start ${m.loadAverage.join(' / ')}`;
  return [
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memGiB} GiB RAM, Node ${m.node}, ${m.registry}, ${m.skopeo}; ${r.date}${load}${smoke}.`,
    '',
  ];
}

function requestRows(t) {
  const pairs = ['P-01/P-02', 'P-03', 'P-04', 'P-05'].map((id) => {
    const x = t[id];
    const c = x.client;
    return [
      id,
      x.name,
      `**${x.ratioMedian}x**`,
      c.median,
      c.p99,
      c.min,
      c.max,
      x.bare.median,
      x.bare.p99,
    ];
  });
  const uploads = ['P-06', 'P-07'].map((id) => {
    const x = t[id];
    const m = x.monolithic;
    const op = `${x.name}: monolithic (chunked: ${x.chunked.median} ms median, ${x.chunked.chunkSize} B chunks)`;
    const b = x.bareMonolithic;
    return [id, op, `**${x.ratioMedian}x**`, m.median, m.p99, m.min, m.max, b.median, b.p99];
  });
  return [...pairs, ...uploads];
}

function concurrencyRows(t, p) {
  return ['P-08', 'P-09'].map((id) => {
    const x = t[id];
    const ratio = Math.round((x.concurrent.mbPerSec / x.single.mbPerSec) * 100) / 100;
    const op = `${x.name} (${x.concurrent.n} x ${p.conc} B)`;
    return [id, op, x.concurrent.mbPerSec, x.single.mbPerSec, `**${ratio}x**`, x.errors];
  });
}

const REQUEST_HEAD = [
  'id',
  'operation',
  'client / bare (median)',
  'client median ms',
  'client p99',
  'min',
  'max',
  'bare median ms',
  'bare p99',
];
const CONCURRENCY_HEAD = [
  'id',
  'operation',
  'aggregate MB/s',
  'single stream MB/s',
  'aggregate / single',
  'errors',
];

function latencyTables(name, t, p) {
  return [
    `### Latency on ${name} (client vs bare undici request, ${p.iters} iterations after ${p.warmup} warm-up)`,
    '',
    ...table(REQUEST_HEAD, requestRows(t)),
    '',
    ...table(CONCURRENCY_HEAD, concurrencyRows(t, p)),
    '',
  ];
}

function throughputTable(rows, p) {
  const head = [
    'image',
    'dhub pull vs skopeo',
    'dhub push vs skopeo',
    'dhub pull / SHA-256',
    'verified blob GET / SHA-256',
    'dhub pull MB/s',
    'skopeo pull MB/s',
    'dhub push MB/s',
    'skopeo push MB/s',
    'verified GET MB/s',
    'bare GET MB/s',
    'SHA-256 MB/s',
    'peak RSS pull / push MB',
  ];
  const cells = rows.map((x) => [
    x.image,
    `**${x.pull.speedupVsSkopeo}x**`,
    `**${x.push.speedupVsSkopeo}x**`,
    x.pull.fractionOfSha256,
    x.blobGet.fractionOfSha256,
    x.pull.dhubMBps,
    x.pull.skopeoMBps,
    x.push.dhubMBps,
    x.push.skopeoMBps,
    x.blobGet.verifiedMBps,
    x.blobGet.bareMBps,
    x.sha256MBps,
    `${x.pull.dhubPeakRssMb} / ${x.push.dhubPeakRssMb}`,
  ]);
  return [
    `### Throughput on the real registry (a fresh registry per run, median of ${p.runs} runs; wall time of the whole process, measured from outside; the in-process downloads: median of ${p.downloadRounds} per run)`,
    '',
    ...table(head, cells),
  ];
}

function floorsTable(rows, p) {
  const head = [
    'image',
    'layer MB',
    'bare undici GET ms',
    'undici GET + SHA-256 ms',
    'socket GET + SHA-256 ms',
    'undici GET + SHA-256 + file ms',
    'push: POST + streamed PATCH + PUT ms',
    '`node -e 0` ms',
    'dhub pull ms',
    'skopeo pull ms',
    'dhub push ms',
    'skopeo push ms',
  ];
  const cells = rows.map((x) => {
    const f = x.floors;
    const ms = [
      f.bareGetMs,
      f.bareGetSha256Ms,
      f.socketGetSha256Ms,
      f.bareGetSha256FileMs,
      f.barePushMs,
      f.nodeStartMs,
      x.pull.dhubMs,
      x.pull.skopeoMs,
      x.push.dhubMs,
      x.push.skopeoMs,
    ];
    return [x.image, Math.round(f.layerBytes / 1e5) / 10, ...ms.map(Math.round)];
  });
  return [
    '',
    `**Floors, same run** (first layer of each image, bare undici or a bare socket in the benchmark process: no client, no process start; medians over ${p.runs} runs):`,
    '',
    ...table(head, cells),
  ];
}

function decisionLines(x) {
  const d = x.downloads;
  return [
    `- ${x.image}: client verified GET vs best standard option: **${d.clientVsBestStandard.toFixed(2)}x** (${d.bestStandard.label}, ${d.bestStandard.medianMs} ms)`,
  ];
}

function pathLines(paths) {
  const d = paths.defaultClient;
  return [
    `The client's blob GET, checked before measuring: seen on \`undici:request:create\` ${d.created}, written by undici's own client (\`undici:client:sendHeaders\`) ${d.sentByUndici}.`,
    '',
  ];
}

function downloadsTable(rows, r) {
  const ways = rows[0].downloads.ways;
  const cells = ways.map((w, i) => [
    `${w.label}${w.standard ? ' (standard)' : ''}`,
    ...rows.map((x) => {
      const d = x.downloads.ways[i];
      return `${Math.round(d.medianMs)} (${mbPerSec(x.downloads.layerBytes, d.medianMs)} MB/s)`;
    }),
  ]);
  const via = r.downloadPaths === undefined ? [] : pathLines(r.downloadPaths);
  return [
    '',
    `**Download path, same run** (first layer of each image, in the benchmark process, every way once per round in a rotated order; median ms of ${rows[0].downloads.samplesPerWay} samples, MB/s):`,
    '',
    ...table(
      [
        'first layer',
        ...rows.map((x) => `${x.image} (${Math.round(x.downloads.layerBytes / 1e5) / 10} MB)`),
      ],
      cells,
    ),
    '',
    ...via,
    ...rows.flatMap(decisionLines),
  ];
}

function copyTable(copy) {
  const cells = Object.entries(copy).map(([k, x]) => [
    `${k} registry`,
    `**${x.speedupVsSkopeo}x**`,
    x.dhubMs,
    x.skopeoMs,
    x.dhubPeakRssMb,
  ]);
  return [
    '',
    ...table(
      ['copy (one layer)', 'dhub vs skopeo', 'dhub ms', 'skopeo ms', 'dhub peak RSS MB'],
      cells,
    ),
  ];
}

function startupTable(startup) {
  const cells = startup.rows.map((x) => [
    x.registry,
    `\`${x.command}\``,
    Math.round(x.dhubMs),
    Math.round(x.skopeoMs),
    Math.round(x.nodeMs),
    `**${x.dhubVsSkopeo}x**`,
    `**${x.dhubVsSkopeoPlusNode}x**`,
    `${x.dhubPeakRssMb} / ${x.skopeoPeakRssMb}`,
  ]);
  const head = [
    'registry',
    'command',
    'dhub ms',
    'skopeo ms',
    '`node -e 0` ms',
    'dhub / skopeo',
    'dhub / (skopeo + `node -e 0`)',
    'peak RSS dhub / skopeo MB',
  ];
  return [
    '',
    `**Start-up cost per command** (one-layer ${Math.round(startup.imageBytes / 1024)} KiB image; whole processes timed from outside, median of ${startup.rounds} round${startup.rounds === 1 ? '' : 's'}, the tools alternating; skopeo: \`--version\`, \`inspect --raw\` for digest and manifest, \`copy docker:// oci:\` for pull; \`NODE_EXTRA_CA_CERTS\` ${startup.extraCaCerts ?? 'as in the environment'}):`,
    '',
    ...table(head, cells),
  ];
}

/** The markdown report of `r` (the results object main() writes to results.json). */
export function markdown(r) {
  const p = r.params;
  const rows = Object.values(r.throughput ?? {});
  const L = [
    ...header(r),
    ...Object.entries(r.latency).flatMap(([name, t]) => latencyTables(name, t, p)),
    ...(rows.length > 0 ? [...throughputTable(rows, p), ...floorsTable(rows, p), ...downloadsTable(rows, r)] : []),
    ...(r.copy ? copyTable(r.copy) : []),
    ...(r.archives ? archivesLines(r.archives, table) : []),
    ...(r.startup ? startupTable(r.startup) : []),
    ...(r.repository ? repositoryLines(r.repository, table) : []),
    ...(r.pullFloor ? pullFloorLines(r.pullFloor, table) : []),
  ];
  return `${L.join('\n')}\n`;
}
