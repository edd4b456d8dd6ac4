import type { Readable } from 'node:stream';
import { type Descriptor, type ImageReference } from '@llmdevops/docker-hub-core';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import { NON_SCAN_PREDICATES, parseVulnerabilityReport } from './parse-report.js';
import { listReferrers, type RegistryContext } from './referrers.js';
import { countBySeverity, counts } from './severity.js';
import type { FoundReport, ReportSource } from './types.js';

/** What report discovery needs. @public */
export interface ReportDeps {
  readonly ctx: RegistryContext;
  readonly manifests: Pick<ManifestsService, 'get' | 'head'>;
  readonly blobs: Pick<BlobsService, 'get' | 'upload'>;
}

/** Reports found for an image, and the ones that could not be read. @internal */
export interface FoundReports {
  readonly reports: FoundReport[];
  readonly problems: string[];
}

const ATTESTATION = 'attestation-manifest';
const REFERENCE_TYPE = 'vnd.docker.reference.type';
const PREDICATE_TYPE = 'in-toto.io/predicate-type';
const CREATED = ['org.opencontainers.image.created', 'org.opencontainers.artifact.created'];
const NOT_REPORTS = [
  /^application\/spdx\+json$/,
  /^application\/vnd\.dev\.cosign\./,
  /^application\/vnd\.cncf\.notary\./,
];

function candidate(layer: Descriptor): boolean {
  const t = layer.mediaType.toLowerCase();
  if (!(t.endsWith('+json') || t === 'application/json') || NOT_REPORTS.some((re) => re.test(t)))
    return false;
  const predicate = layer.annotations?.[PREDICATE_TYPE];
  return predicate === undefined || !NON_SCAN_PREDICATES.some((re) => re.test(predicate));
}

function createdAt(
  ...annotations: (Readonly<Record<string, string>> | undefined)[]
): Date | undefined {
  for (const a of annotations) {
    for (const key of CREATED) {
      const ms = Date.parse(a?.[key] ?? '');
      if (Number.isFinite(ms)) return new Date(ms);
    }
  }
  return undefined;
}

async function readBlob(
  deps: ReportDeps,
  ref: ImageReference,
  layer: Descriptor,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const stream: Readable = deps.blobs.get(ref, layer.digest, {
    size: layer.size,
    ...(signal === undefined ? {} : { signal }),
  });
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads every report layer of one manifest (a referrer artifact or a BuildKit attestation).
 * @param deps - services
 * @param ref - the repository
 * @param entry - the manifest's descriptor
 * @param options - how it was found, size limit, signal, where reports and problems go
 */
async function readManifestReports(
  deps: ReportDeps,
  ref: ImageReference,
  entry: Descriptor,
  options: {
    readonly via: ReportSource['via'];
    readonly maxBytes: number;
    readonly signal: AbortSignal | undefined;
    readonly out: FoundReports;
  },
): Promise<void> {
  const out = options.out;
  const m = await deps.manifests.get(
    ref.withDigest(entry.digest),
    options.signal === undefined ? {} : { signal: options.signal },
  );
  if (m.kind !== 'image') return;
  const manifest = m.manifest as typeof m.manifest & {
    artifactType?: string;
    annotations?: Record<string, string>;
  };
  const artifactType = entry.artifactType ?? manifest.artifactType ?? manifest.config.mediaType;
  for (const layer of manifest.layers) {
    if (!candidate(layer)) continue;
    if (layer.size > options.maxBytes) {
      out.problems.push(
        `${layer.digest} in ${entry.digest}: ${layer.size} bytes is over the ${options.maxBytes}-byte report limit`,
      );
      continue;
    }
    let report;
    try {
      report = parseVulnerabilityReport(await readBlob(deps, ref, layer, options.signal));
    } catch (err) {
      if (options.signal?.aborted === true) throw err;
      out.problems.push(
        `${layer.digest} in ${entry.digest}: ${err instanceof Error ? err.message : 'unreadable'}`,
      );
      continue;
    }
    if (report === undefined) continue;
    const predicate = layer.annotations?.[PREDICATE_TYPE];
    const source: ReportSource = {
      via: options.via,
      manifestDigest: entry.digest,
      blobDigest: layer.digest,
      artifactType: predicate ?? artifactType,
    };
    const scannedAt =
      report.scannedAt ?? createdAt(layer.annotations, entry.annotations, manifest.annotations);
    out.reports.push({
      ...report,
      scannedAt,
      source,
      counts: countBySeverity(report.findings.filter(counts)),
    });
  }
}

/**
 * Finds the vulnerability reports attached to an image: its referrers (API or tag fallback)
 * and, for an index, its BuildKit attestation manifests.
 * @param deps - context, manifests and blobs services
 * @param ref - the image, by digest
 * @param options - size limit and signal
 * @returns the reports found (unsorted) and problems
 * @throws the typed registry errors of the subject manifest and the referrers lookup
 * @internal
 */
export async function findReports(
  deps: ReportDeps,
  ref: ImageReference & { digest: string },
  options: { readonly maxBytes: number; readonly signal?: AbortSignal | undefined },
): Promise<FoundReports> {
  const out: FoundReports = { reports: [], problems: [] };
  const subject = await deps.manifests.get(
    ref,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const referrers = await listReferrers(deps.ctx, ref, ref.digest, options.signal);
  const entries: [Descriptor, ReportSource['via']][] = referrers.descriptors.map((d) => [
    d,
    referrers.via,
  ]);
  if (subject.kind === 'index') {
    // BuildKit: `vnd.docker.reference.type` must be exactly `attestation-manifest` (registry-api.md 5.5).
    for (const d of subject.manifest.manifests)
      if (d.annotations?.[REFERENCE_TYPE] === ATTESTATION) entries.push([d, 'attestation']);
  }
  for (const [d, via] of entries) {
    try {
      await readManifestReports(deps, ref, d, {
        via,
        maxBytes: options.maxBytes,
        signal: options.signal,
        out,
      });
    } catch (err) {
      if (options.signal?.aborted === true) throw err;
      out.problems.push(`${d.digest}: ${err instanceof Error ? err.message : 'unreadable'}`);
    }
  }
  return out;
}
