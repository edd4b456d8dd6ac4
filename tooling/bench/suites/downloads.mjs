// The first layer of an image downloaded every way the client's download path is weighed
// against: the client (undici through the transport), the standard Node options
// with SHA-256 (undici request() and stream(), node:http), bare undici without hashing, and a
// bare socket (the machine's ceiling). Each round runs every way once, in a rotated order, so
// a noisy moment on the shared machine does not land on the same row every time.
import { pipeline } from 'node:stream/promises';
import {
  nodeHttpHashGet,
  socketHashGet,
  undiciGet,
  undiciRequestHashGet,
  undiciStreamHashGet,
} from '../lib/http.mjs';
import { median, nullSink, round, timeOnce } from '../lib/measure.mjs';
import { LARGE_HWM, P } from '../lib/params.mjs';
import { bareAuth } from '../registry.mjs';

const clientGet = (client, d) => () =>
  pipeline(client.blobs.get(d.repo, d.digest, { size: d.size }), nullSink());

/** Every way, keyed by its name in the raw samples; `standard` marks the standard options. */
export const DOWNLOADS = [
  {
    key: 'blobGet',
    label: 'client verified GET',
    run: (d) => clientGet(d.clients.client, d),
  },
  { key: 'bareGet', label: 'undici request(), no hashing', run: (d) => () => undiciGet(d.url) },
  {
    key: 'bareHashGet',
    label: 'undici request() + SHA-256',
    standard: true,
    run: (d) => () => undiciRequestHashGet(d.url),
  },
  {
    key: 'undiciRequestHwmHashGet',
    label: `undici request() highWaterMark ${LARGE_HWM / 2 ** 20} MiB + SHA-256`,
    standard: true,
    run: (d) => () => undiciRequestHashGet(d.url, LARGE_HWM),
  },
  {
    key: 'undiciStreamHashGet',
    label: `undici dispatcher.stream() highWaterMark ${LARGE_HWM / 2 ** 20} MiB + SHA-256`,
    standard: true,
    run: (d) => () => undiciStreamHashGet(d.url),
  },
  {
    key: 'nodeHttpHashGet',
    label: `node:http highWaterMark ${LARGE_HWM / 2 ** 20} MiB + SHA-256`,
    standard: true,
    run: (d) => () => nodeHttpHashGet(d.url),
  },
  {
    key: 'socketHashGet',
    label: 'bare socket + SHA-256 (ceiling)',
    run: (d) => () => socketHashGet(d.url, d.size),
  },
];

/** Empty sample lists for every way, to merge into a run's raw samples. */
export const emptyDownloadSamples = () => Object.fromEntries(DOWNLOADS.map((w) => [w.key, []]));

/** Token and connection set up outside the timings: every client and the bare token cache. */
async function warmUp(d) {
  await bareAuth(d.url);
  await d.clients.client.blobs.exists(d.repo, d.digest);
}

/**
 * Downloads `layer` from `repo` (`host/name`) at `url` (the registry's base URL) every way,
 * `P.downloadRounds` times, and appends the milliseconds to `samples[key]`. `turn` shifts the
 * rotation between runs.
 */
export async function firstLayerDownloads({ clients, url, host, repo, layer }, samples, turn) {
  const d = {
    clients,
    repo: `${host}/${repo}`,
    digest: layer.digest,
    size: layer.size,
    url: `${url}/v2/${repo}/blobs/${layer.digest}`,
  };
  await warmUp(d);
  for (let round = 0; round < P.downloadRounds; round++) {
    const start = (turn * P.downloadRounds + round) % DOWNLOADS.length;
    const order = [...DOWNLOADS.slice(start), ...DOWNLOADS.slice(0, start)];
    for (const way of order) samples[way.key].push(await timeOnce(way.run(d)));
  }
}

/**
 * Medians of every way over all runs, the fastest standard option, and the client's verified
 * GET against it (above 1 the client is faster).
 */
export function summariseDownloads(samples, layerBytes) {
  const medians = Object.fromEntries(DOWNLOADS.map((w) => [w.key, median(samples[w.key])]));
  const best = DOWNLOADS.filter((w) => w.standard).reduce((a, b) =>
    medians[b.key] < medians[a.key] ? b : a,
  );
  return {
    layerBytes,
    samplesPerWay: samples.blobGet.length,
    ways: DOWNLOADS.map((w) => ({
      key: w.key,
      label: w.label,
      standard: w.standard === true,
      medianMs: medians[w.key],
    })),
    bestStandard: { key: best.key, label: best.label, medianMs: medians[best.key] },
    clientVsBestStandard: round(medians[best.key] / medians.blobGet),
  };
}
