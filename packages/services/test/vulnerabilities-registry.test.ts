// Vulnerability overview and attach against the real CNCF distribution registry (2.8: no
// referrers API, so the `sha256-<hex>` tag fallback is exercised) and the simulator (referrers API).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ANONYMOUS, createAuthMiddleware } from '@llmdevops/docker-hub-auth';
import {
  ImageReference,
  MediaType,
  NotFoundError,
  ValidationError,
  type OciIndex,
} from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { createTransport } from '@llmdevops/docker-hub-transport';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { ClientContext } from '../src/client/context.js';
import { parseConfig } from '../src/config/parse-config.js';
import { BlobsService } from '../src/blobs/blobs-service.js';
import { ManifestsService } from '../src/manifests/manifests-service.js';
import { referrersTag } from '../src/vulnerabilities/index.js';
import { VulnerabilitiesService } from '../src/vulnerabilities/vulnerabilities-service.js';

const FIXTURES = new URL('../../../fixtures/vuln-reports/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Harness {
  readonly ctx: ClientContext;
  readonly manifests: ManifestsService;
  readonly blobs: BlobsService;
  readonly vulns: VulnerabilitiesService;
  close(): Promise<void>;
}

function harness(registryUrl: string, dispatcher?: Dispatcher): Harness {
  const config = parseConfig({
    registryUrl,
    resilience: { maxRetries: 1 },
    cache: { enabled: false },
    ...(dispatcher === undefined ? {} : { dispatcher }),
  });
  const transport = createTransport({
    maxRetries: 1,
    ...(dispatcher === undefined ? {} : { dispatcher }),
  });
  const auth = createAuthMiddleware({
    credentials: async () => Promise.resolve(ANONYMOUS),
    transportNext: (r) => transport.request(r),
  });
  transport.use(auth, { before: 'redirect' });
  const ctx = new ClientContext(transport, config, { DOCKER_CONFIG: '/nonexistent-docker-config' });
  const manifests = new ManifestsService(ctx);
  const blobs = new BlobsService(ctx);
  return {
    ctx,
    manifests,
    blobs,
    vulns: new VulnerabilitiesService(ctx, { manifests, blobs }),
    close: async () => {
      auth.dispose();
      await transport.close();
    },
  };
}

/** Pushes a one-layer linux image; returns its manifest descriptor. */
async function pushImage(
  h: Harness,
  ref: ImageReference,
  arch: string,
): Promise<{ digest: string; size: number }> {
  const raw = randomBytes(512);
  const layer = gzipSync(raw);
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha(raw)] },
    }),
  );
  await h.blobs.upload(ref, layer);
  await h.blobs.upload(ref, config);
  const manifest = {
    schemaVersion: 2 as const,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = await h.manifests.put(ref, bytes, { mediaType: MediaType.OciManifest });
  return { digest, size: bytes.length };
}

/** Pushes an index with one image and a BuildKit attestation manifest (provenance + CycloneDX statements). */
async function pushIndexWithAttestation(h: Harness, ref: ImageReference): Promise<string> {
  const image = await pushImage(h, ref.withTag('amd64'), 'amd64');
  const statement = (predicateType: string, predicate: unknown): Buffer =>
    Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType,
        subject: [{ name: ref.name, digest: { sha256: image.digest.slice(7) } }],
        predicate,
      }),
    );
  const provenance = statement('https://slsa.dev/provenance/v0.2', {
    builder: { id: 'https://github.com/docker/buildx' },
  });
  const bom = statement('https://cyclonedx.org/bom', JSON.parse(fixture('cyclonedx-vulns.json')));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha(provenance), sha(bom)] },
    }),
  );
  for (const b of [provenance, bom, config]) await h.blobs.upload(ref, b);
  const layer = (b: Buffer, predicate: string) => ({
    mediaType: MediaType.InToto,
    digest: sha(b),
    size: b.length,
    annotations: { 'in-toto.io/predicate-type': predicate },
  });
  const attestation = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
      layers: [
        layer(provenance, 'https://slsa.dev/provenance/v0.2'),
        layer(bom, 'https://cyclonedx.org/bom'),
      ],
    }),
  );
  const attDigest = await h.manifests.put(ref.withDigest(sha(attestation)), attestation, {
    mediaType: MediaType.OciManifest,
  });
  const index: OciIndex = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [
      {
        mediaType: MediaType.OciManifest,
        digest: image.digest,
        size: image.size,
        platform: { architecture: 'amd64', os: 'linux' },
      },
      {
        mediaType: MediaType.OciManifest,
        digest: attDigest,
        size: attestation.length,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': image.digest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
      },
    ],
  };
  return h.manifests.put(ref, index);
}

describe('vulnerabilities on the real distribution registry (referrers tag fallback)', () => {
  let reg: RealRegistry;
  let h: Harness;
  let image: { digest: string; size: number };
  const ref = ImageReference.parse('myuser/myapp:1.4.2');

  beforeAll(async () => {
    reg = await startRealRegistry({ auth: 'none' });
    h = harness(reg.url);
    image = await pushImage(h, ref, 'amd64');
  }, 60_000);

  afterAll(async () => {
    await h.close();
    await reg.stop();
  });

  it('finds nothing on an image without reports, through the tag fallback', async () => {
    await expect(h.vulns.getScanOverview('myuser', 'myapp', image.digest)).resolves.toBeUndefined();
    await expect(h.vulns.referrers(ref.withDigest(image.digest))).resolves.toEqual({
      via: 'referrers-tag',
      descriptors: [],
    });
  });

  it('attaches a Trivy report into the sha256-<hex> index and reads the overview back', async () => {
    const attached = await h.vulns.attach(ref, fixture('trivy-alpine.json'));
    expect(attached).toMatchObject({
      via: 'referrers-tag',
      subject: image.digest,
      artifactType: 'application/vnd.aquasec.trivy.report+json',
    });
    const tagIndex = await h.manifests.get(ref.withTag(referrersTag(image.digest)));
    if (tagIndex.kind !== 'index') throw new Error('the referrers tag must hold an index');
    expect(tagIndex.manifest.manifests.map((d) => [d.digest, d.artifactType])).toEqual([
      [attached.digest, 'application/vnd.aquasec.trivy.report+json'],
    ]);
    const artifact = await h.manifests.get(ref.withDigest(attached.digest));
    expect((artifact.manifest as { subject?: { digest: string } }).subject?.digest).toBe(
      image.digest,
    );

    const o = await h.vulns.getScanOverview('myuser', 'myapp', image.digest);
    expect(o?.counts).toEqual({ critical: 1, high: 2, medium: 3, low: 1, unknown: 1 });
    expect(o?.total).toBe(8);
    expect(o?.scanner).toEqual({ name: 'Trivy' });
    expect(o?.scannedAt?.toISOString()).toBe('2024-07-15T09:12:44.118Z');
    expect(o?.topFindings.map((f) => f.id).slice(0, 3)).toEqual([
      'CVE-2024-5535',
      'CVE-2023-42363',
      'CVE-2024-6119',
    ]);
    expect(o?.topFindings[0]).toMatchObject({
      severity: 'critical',
      package: 'libssl3',
      installedVersion: '3.1.4-r5',
      fixedVersion: '3.1.6-r0',
      score: 9.1,
    });
    expect(o?.reports[0]?.source).toMatchObject({
      via: 'referrers-tag',
      manifestDigest: attached.digest,
      blobDigest: attached.blobDigest,
    });
  });

  it('uses the newest report, keeps one index entry per artifact, and applies VEX', async () => {
    // Same bytes and creation time: the same artifact, so the fallback index keeps one entry.
    const created = new Date('2024-07-16T08:00:10Z');
    const sarif = await h.vulns.attach(
      ref.withDigest(image.digest),
      JSON.parse(fixture('trivy-alpine.sarif.json')) as object,
      { created },
    );
    const again = await h.vulns.attach(
      ref.withDigest(image.digest),
      JSON.parse(fixture('trivy-alpine.sarif.json')) as object,
      { created },
    );
    expect(again.digest).toBe(sarif.digest);
    let o = await h.vulns.getScanOverview('myuser', 'myapp', image.digest, { top: 2 });
    expect(o?.counts).toEqual({ critical: 1, high: 1, medium: 2, low: 1, unknown: 0 });
    expect(o?.scanner).toEqual({ name: 'Trivy', version: '0.53.0' });
    expect(o?.topFindings).toHaveLength(2);
    expect(o?.reports.map((r) => r.format)).toEqual(['sarif', 'trivy']);
    expect(o?.reports[0]?.source.manifestDigest).toBe(sarif.digest);

    await h.vulns.attach(ref, fixture('cyclonedx-vulns.json'));
    await h.vulns.attach(ref, fixture('cyclonedx-vex.json'));
    o = await h.vulns.getScanOverview('myuser', 'myapp', image.digest);
    expect(o?.reports.map((r) => r.format)).toEqual([
      'cyclonedx-vex',
      'cyclonedx',
      'sarif',
      'trivy',
    ]);
    expect(o?.counts).toEqual({ critical: 1, high: 0, medium: 1, low: 1, unknown: 0 });
    expect(o?.suppressed).toBe(1);
    expect(o?.scanner).toEqual({ name: 'trivy', version: '0.53.0' });
    expect(o?.topFindings.map((f) => f.id)).not.toContain('CVE-2024-6119');
  });

  it('reads BuildKit attestation manifests of an index and skips provenance', async () => {
    const indexRef = ImageReference.parse('myuser/built:v1');
    const digest = await pushIndexWithAttestation(h, indexRef);
    const o = await h.vulns.getScanOverview('myuser', 'built', digest);
    expect(o?.reports).toHaveLength(1);
    expect(o?.reports[0]?.source).toMatchObject({
      via: 'attestation',
      artifactType: 'https://cyclonedx.org/bom',
    });
    expect(o?.counts).toEqual({ critical: 1, high: 1, medium: 1, low: 1, unknown: 0 });
  });

  it('does not read reports over the size limit', async () => {
    const other = await pushImage(h, ref.withTag('big'), 'arm64');
    await h.vulns.attach(ref.withDigest(other.digest), fixture('trivy-alpine.json'));
    const o = await h.vulns.getScanOverviewFor(ref.withDigest(other.digest), {
      maxReportBytes: 100,
    });
    expect(o).toBeUndefined();
    const found = await h.vulns.getScanOverviewFor(ref.withTag('big'));
    expect(found?.total).toBe(8);
  });

  it('refuses unknown report formats without a media type, and unknown images', async () => {
    await expect(h.vulns.attach(ref, '{"hello":"world"}')).rejects.toBeInstanceOf(ValidationError);
    await expect(h.vulns.attach(ref, 'not json')).rejects.toBeInstanceOf(ValidationError);
    const custom = await h.vulns.attach(ref, '{"hello":"world"}', {
      mediaType: 'application/vnd.example.notes+json',
      artifactType: 'application/vnd.example.notes',
    });
    expect(custom.artifactType).toBe('application/vnd.example.notes');
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(h.vulns.getScanOverview('myuser', 'myapp', missing)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(h.vulns.getScanOverview('myuser', 'myapp', 'sha256:nothex')).rejects.toThrow(
      /digest/i,
    );
    await expect(h.vulns.getScanOverview('My User', 'myapp', missing)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('vulnerabilities on the simulator (referrers API)', () => {
  let sim: Simulator;
  let h: Harness;

  beforeAll(() => {
    sim = createSimulator({ profile: 'oci' });
    h = harness('http://127.0.0.1:65535', sim.dispatcher);
  });

  afterAll(async () => {
    await h.close();
    await sim.close();
  });

  it('stops when the signal aborts', async () => {
    const signal = AbortSignal.abort(new Error('stop'));
    await expect(
      h.vulns.getScanOverviewFor(`myuser/app@sha256:${'1'.repeat(64)}`, { signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(
      h.vulns.attach('myuser/app:1', '{}', { signal, mediaType: 'application/json' }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('attaches through OCI-Subject, lists with the referrers API and writes no fallback tag', async () => {
    const ref = ImageReference.parse('myuser/app:1');
    const image = await pushImage(h, ref, 'amd64');
    const attached = await h.vulns.attach(ref, fixture('trivy-alpine.sarif.json'));
    expect(attached.via).toBe('referrers');
    const list = await h.vulns.referrers(ref.withDigest(image.digest));
    expect(list.via).toBe('referrers');
    expect(list.descriptors.map((d) => [d.digest, d.artifactType])).toEqual([
      [attached.digest, 'application/sarif+json'],
    ]);
    await expect(h.manifests.exists(ref.withTag(referrersTag(image.digest)))).resolves.toBe(false);
    const o = await h.vulns.getScanOverview('myuser', 'app', image.digest);
    expect(o?.counts).toEqual({ critical: 1, high: 1, medium: 2, low: 1, unknown: 0 });
    expect(o?.reports[0]?.source.via).toBe('referrers');
    expect(o?.scannedAt?.toISOString()).toBe('2024-07-16T08:00:09.000Z');
  });

  it('reads attestation manifests in an index on the simulator too', async () => {
    const ref = ImageReference.parse('myuser/built:2');
    const digest = await pushIndexWithAttestation(h, ref);
    const o = await h.vulns.getScanOverview('myuser', 'built', digest);
    expect(o?.reports.map((r) => r.source.via)).toEqual(['attestation']);
    expect(o?.topFindings[0]?.id).toBe('CVE-2024-5535');
  });
});
