// OpenTelemetry through DockerHubClient against the simulator's in-process dispatcher, read back
// from the SDK's in-memory exporters: operation spans with the HTTP attempt spans as children,
// pulls/pushes/bytes/errors metrics, digest mismatches from corrupted content, the
// vulnerabilities gauge, no secret anywhere in the exported data, and nothing without an SDK.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DigestMismatchError, Secret } from '@llmdevops/docker-hub-core';
import { createSimulator, type FaultRule, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DockerHubClient, METRIC_NAMES, type ClientTelemetry } from '../src/index.js';
import { layoutBlobs, writeLayout } from './oci-fixture.js';
import { createOtelHarness, sum, type OtelHarness } from '../../../tooling/otel/otel-harness.js';

const PASSWORD = 'tel-Pa55word-never-exported';
const USER = 'teluser';
const REGISTRY = '127.0.0.1:65535';

let work: string;
const sims: Simulator[] = [];
const clients: DockerHubClient[] = [];
const harnesses: OtelHarness[] = [];
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'svc-telemetry-'));
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(sims.map((s) => s.close()));
  await Promise.all(harnesses.map((h) => h.shutdown()));
  rmSync(work, { recursive: true, force: true });
  context.disable();
  trace.disable();
  metrics.disable();
});

function simulator(faults: readonly FaultRule[] = []): Simulator {
  const sim = createSimulator({
    auth: 'token',
    users: [{ name: USER, password: PASSWORD, namespaces: ['tel'] }],
    faults,
  });
  sims.push(sim);
  return sim;
}

function client(sim: Simulator, telemetry?: ClientTelemetry, password = PASSWORD): DockerHubClient {
  const c = new DockerHubClient(
    { dispatcher: sim.dispatcher, resilience: { maxRetries: 1 }, cache: { enabled: false } },
    {
      env: { DOCKER_CONFIG: join(work, 'no-docker-config') },
      credentials: async () =>
        Promise.resolve({ kind: 'basic' as const, username: USER, password: new Secret(password), source: 'explicit' as const }),
      ...(telemetry === undefined ? {} : { telemetry }),
    },
  );
  clients.push(c);
  return c;
}

function harness(): OtelHarness {
  const h = createOtelHarness();
  harnesses.push(h);
  return h;
}

/** A layout with one linux/amd64 image (config + 2 layers) under `tag`; returns its directory. */
function layout(name: string, tag: string): string {
  const dir = join(work, name);
  writeLayout(dir, tag, ['amd64'], 30_000);
  return dir;
}

const byName = (spans: readonly ReadableSpan[], name: string): ReadableSpan[] => spans.filter((s) => s.name === name);
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const childrenOf = (spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] =>
  spans.filter((s) => parentOf(s) === parent.spanContext().spanId);

describe('a pull with telemetry on', () => {
  it('emits the images.pull span with manifest and blob operation spans, HTTP attempt spans under them, and pull, push and byte metrics', async () => {
    const sim = simulator();
    const otel = harness();
    const c = client(sim, { tracer: otel.tracer, meter: otel.meter });
    const src = layout('pull-src', 'v1');
    const ref = `${REGISTRY}/tel/app:v1`;
    await c.images.push(src, ref);
    const pushed = await otel.collect();
    expect(sum(otel.points(pushed, METRIC_NAMES.pushes), { outcome: 'success' })).toBe(1);

    const dest = join(work, 'pull-dest');
    const result = await c.images.pull(ref, dest);
    const spans = otel.spans();

    const [pull] = byName(spans, 'docker_hub.images.pull');
    expect(pull).toBeDefined();
    if (pull === undefined) return;
    expect(pull.attributes).toMatchObject({
      'docker_hub.operation': 'images.pull',
      'docker_hub.registry': REGISTRY,
      'docker_hub.repository': 'tel/app',
      'docker_hub.reference': 'v1',
      'docker_hub.digest': result.digest,
    });
    expect(parentOf(pull)).toBeUndefined();

    // manifests.get (or getForPlatform) and one blobs.get per blob run inside the pull.
    const below = (root: ReadableSpan): ReadableSpan[] => {
      const direct = childrenOf(spans, root);
      return [...direct, ...direct.flatMap(below)];
    };
    const inPull = below(pull);
    const blobGets = inPull.filter((s) => s.name === 'docker_hub.blobs.get');
    // Every blob of the layout but the (single-platform) manifest itself is downloaded.
    const blobs = [...layoutBlobs(src)].filter(([hex]) => `sha256:${hex}` !== result.digest);
    const blobCount = blobs.length;
    expect(blobGets).toHaveLength(blobCount);
    expect(inPull.some((s) => s.name === 'docker_hub.manifests.get')).toBe(true);

    // Every blob GET attempt is a CLIENT span whose parent is a blobs.get operation span.
    for (const get of blobGets) {
      const attempts = childrenOf(spans, get).filter((s) => s.kind === SpanKind.CLIENT);
      expect(attempts.length, get.name).toBeGreaterThan(0);
      expect(attempts.map((a) => a.name)).toContain('GET /v2/{name}/blobs/{digest}');
      expect(get.attributes['docker_hub.digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    const manifestAttempts = inPull
      .filter((s) => s.kind === SpanKind.CLIENT)
      .filter((s) => s.name === 'GET /v2/{name}/manifests/{reference}');
    expect(manifestAttempts.length).toBeGreaterThan(0);
    for (const a of manifestAttempts) expect(byName(spans, 'docker_hub.manifests.get').map((s) => s.spanContext().spanId)).toContain(parentOf(a));

    const data = await otel.collect();
    // What Docker Hub counts as a pull: manifest GETs (the client ran at least one per manifest).
    const pulls = sum(otel.points(data, METRIC_NAMES.pulls), { outcome: 'success' });
    expect(pulls).toBeGreaterThanOrEqual(result.manifests);
    expect(pulls).toBe(manifestAttempts.filter((a) => a.attributes['http.response.status_code'] === 200).length);
    const layerBytes = blobs.reduce((n, [, bytes]) => n + bytes.length, 0);
    const received = sum(otel.points(data, METRIC_NAMES.transferBytes), { direction: 'received' });
    expect(received).toBeGreaterThanOrEqual(layerBytes);
    const sent = sum(otel.points(data, METRIC_NAMES.transferBytes), { direction: 'sent' });
    expect(sent).toBeGreaterThanOrEqual(layerBytes);
    // Request metrics use route templates: the latency panels select on them.
    const routes = new Set(otel.points(data, METRIC_NAMES.requestDuration).map((p) => p.attributes['route']));
    expect(routes).toContain('/v2/{name}/manifests/{reference}');
    expect(routes).toContain('/v2/{name}/blobs/{digest}');
    expect(routes).toContain('/v2/{name}/blobs/uploads/');
    for (const route of routes) expect(String(route)).not.toMatch(/tel\/app|sha256:|v1$/);

    // No secret in any span (names, attributes, events, status) or metric point.
    const exported = JSON.stringify([
      spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, resource: s.resource.attributes })),
      [...data.values()].map((m) => m.dataPoints.map((p) => p.attributes)),
    ]);
    expect(exported).not.toContain(PASSWORD);
    expect(exported).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    expect(exported).not.toMatch(/Bearer|Basic |eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('records errors by code, marks failed operation spans, and never exports the wrong password', async () => {
    const sim = simulator();
    const otel = harness();
    const wrong = `${PASSWORD}-wrong`;
    const c = client(sim, { tracer: otel.tracer, meter: otel.meter }, wrong);
    await expect(c.manifests.get(`${REGISTRY}/tel/app:v1`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const [get] = byName(otel.spans(), 'docker_hub.manifests.get');
    expect(get?.status.code).toBe(SpanStatusCode.ERROR);
    expect(get?.attributes['error.type']).toBe('UNAUTHORIZED');
    const data = await otel.collect();
    expect(sum(otel.points(data, METRIC_NAMES.errors), { error_type: 'UNAUTHORIZED' })).toBeGreaterThan(0);
    const exported = JSON.stringify([
      otel.spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
      [...data.values()].map((m) => m.dataPoints.map((p) => p.attributes)),
    ]);
    expect(exported).not.toContain(wrong);
    expect(exported).not.toContain(PASSWORD);
  });
});

describe('digest mismatches', () => {
  it('a corrupted blob fails the pull with DigestMismatchError and counts dockerhub.digest.mismatches once per failed blob', async () => {
    const sim = simulator([{ match: { method: 'GET', path: /^\/v2\/tel\/corrupt\/blobs\/sha256:/ }, corrupt: true }]);
    const otel = harness();
    const c = client(sim, { tracer: otel.tracer, meter: otel.meter });
    const src = layout('corrupt-src', 'v1');
    const { digest } = await c.images.push(src, `${REGISTRY}/tel/corrupt:v1`);
    const blobCount = [...layoutBlobs(src).keys()].filter((hex) => `sha256:${hex}` !== digest).length;
    const dest = join(work, 'corrupt-dest');
    await expect(c.images.pull(`${REGISTRY}/tel/corrupt:v1`, dest)).rejects.toBeInstanceOf(DigestMismatchError);
    // The downloads still in flight when the pull failed end (aborted or mismatched) soon after.
    await vi.waitFor(() => {
      expect(byName(otel.spans(), 'docker_hub.blobs.get')).toHaveLength(blobCount);
    });

    const failedGets = byName(otel.spans(), 'docker_hub.blobs.get').filter((s) => s.attributes['error.type'] === 'DIGEST_MISMATCH');
    expect(failedGets.length).toBeGreaterThan(0);
    const points = otel.points(await otel.collect(), METRIC_NAMES.digestMismatches);
    expect(points.map((p) => p.attributes)).toContainEqual({ operation: 'blobs.get', kind: 'blob' });
    // Counted by the innermost operation only (not again by images.pull).
    expect(sum(points)).toBe(failedGets.length);
    // The transport saw a good 200 answer: the failure is counted as an error by the operation.
    const errors = otel.points(await otel.collect(), METRIC_NAMES.errors);
    expect(sum(errors, { error_type: 'DIGEST_MISMATCH' })).toBe(failedGets.length);
    expect(errors.find((p) => p.attributes['error_type'] === 'DIGEST_MISMATCH')?.attributes).toEqual({
      error_type: 'DIGEST_MISMATCH',
      operation: 'blobs.get',
      method: 'none',
      host: REGISTRY,
      route: 'none',
    });
    const [pull] = byName(otel.spans(), 'docker_hub.images.pull');
    expect(pull?.attributes['error.type']).toBe('DIGEST_MISMATCH');
  });

  it('a corrupted manifest counts a mismatch of kind manifest', async () => {
    const sim = simulator([{ match: { method: 'GET', path: /^\/v2\/tel\/badmanifest\/manifests\/sha256:/ }, corrupt: true }]);
    const otel = harness();
    const c = client(sim, { tracer: otel.tracer, meter: otel.meter });
    const { digest } = await c.images.push(layout('badmanifest-src', 'v1'), `${REGISTRY}/tel/badmanifest:v1`);
    await expect(c.manifests.get(`${REGISTRY}/tel/badmanifest@${digest}`)).rejects.toBeInstanceOf(DigestMismatchError);
    const points = otel.points(await otel.collect(), METRIC_NAMES.digestMismatches);
    expect(points).toEqual([{ attributes: { operation: 'manifests.get', kind: 'manifest' }, value: 1 }]);
  });
});

describe('vulnerabilities', () => {
  it('a scan overview sets dockerhub.vulnerabilities by namespace, repository and severity', async () => {
    const sim = simulator();
    const otel = harness();
    const c = client(sim, { tracer: otel.tracer, meter: otel.meter });
    const { digest } = await c.images.push(layout('vuln-src', 'v1'), `${REGISTRY}/tel/scanned:v1`);
    const report = readFileSync(new URL('../../../fixtures/vuln-reports/trivy-alpine.json', import.meta.url), 'utf8');
    await c.vulnerabilities.attach(`${REGISTRY}/tel/scanned@${digest}`, report);
    const overview = await c.vulnerabilities.getScanOverviewFor(`${REGISTRY}/tel/scanned@${digest}`);
    expect(overview?.total).toBeGreaterThan(0);
    const points = otel.points(await otel.collect(), METRIC_NAMES.vulnerabilities);
    const bySeverity = Object.fromEntries(points.map((p) => [p.attributes['severity'], p.value]));
    expect(bySeverity).toEqual(overview?.counts);
    for (const p of points) expect(p.attributes).toMatchObject({ namespace: 'tel', repository: 'scanned' });
    expect(byName(otel.spans(), 'docker_hub.vulnerabilities.getScanOverview')[0]?.attributes['docker_hub.vulnerabilities.total']).toBe(overview?.total);
    expect(byName(otel.spans(), 'docker_hub.vulnerabilities.attach')).toHaveLength(1);
  });
});

describe('tags and Docker Hub API calls', () => {
  it('trace tags.list with one tags.pages span per page, and the Hub calls with one span per call or page; the Hub JWT is never exported', async () => {
    const origin = 'http://127.0.0.1:65535';
    const sim = createSimulator({ profile: 'dockerhub', auth: 'token', users: [{ name: USER, password: PASSWORD, namespaces: [USER] }], hubUrl: origin });
    sims.push(sim);
    const otel = harness();
    const c = new DockerHubClient(
      { registryUrl: origin, hubUrl: origin, authUrl: origin, dispatcher: sim.dispatcher, resilience: { maxRetries: 1 }, auth: { username: USER, password: PASSWORD } },
      { env: { DOCKER_CONFIG: join(work, 'no-docker-config') }, telemetry: { tracer: otel.tracer, meter: otel.meter } },
    );
    clients.push(c);
    await c.images.push(layout('hub-src', 'v1'), `${USER}/hubapp:v1`);
    await c.images.push(layout('hub-src2', 'v2'), `${USER}/hubapp:v2`);
    expect((await c.tags.list(`${USER}/hubapp`, { pageSize: 1 })).sort()).toEqual(['v1', 'v2']);
    await c.repositories.get(USER, 'hubapp');
    const hubTags: unknown[] = [];
    for await (const t of c.hubTags.list(USER, 'hubapp')) hubTags.push(t);
    expect(hubTags).toHaveLength(2);
    await expect(c.hubTags.get(USER, 'hubapp', 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const spans = otel.spans();
    const [list] = byName(spans, 'docker_hub.tags.list');
    expect(list?.attributes).toMatchObject({ 'docker_hub.repository': `${USER}/hubapp`, 'docker_hub.tag_count': 2 });
    const pages = byName(spans, 'docker_hub.tags.pages');
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) expect(parentOf(p)).toBe(list?.spanContext().spanId);
    const [repo] = byName(spans, 'docker_hub.hub.repositories.get');
    expect(repo?.attributes).toMatchObject({ 'docker_hub.namespace': USER, 'docker_hub.repository': `${USER}/hubapp` });
    expect(repo && childrenOf(spans, repo).some((s) => s.kind === SpanKind.CLIENT && s.name.startsWith('GET /v2/namespaces/'))).toBe(true);
    expect(byName(spans, 'docker_hub.hub.tags.list').length).toBeGreaterThan(0);
    const [missing] = byName(spans, 'docker_hub.hub.tags.get');
    expect(missing?.status.code).toBe(SpanStatusCode.ERROR);
    expect(missing?.attributes['error.type']).toBe('NOT_FOUND');

    const exported = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    expect(exported).not.toContain(PASSWORD);
    expect(exported).not.toMatch(/Bearer|eyJ[A-Za-z0-9_-]{10,}/);
  });
});

describe('the default setting and telemetry off', () => {
  it('without an SDK nothing is recorded and nothing throws; with a global SDK the default records; false records nothing', async () => {
    const sim = simulator();
    const ref = `${REGISTRY}/tel/global:v1`;
    const unregistered = harness();
    const first = client(sim);
    const pushed = await first.images.push(layout('global-src', 'v1'), ref);
    await expect(first.manifests.get(ref)).resolves.toMatchObject({ digest: pushed.digest });
    expect(unregistered.spans()).toEqual([]);
    expect(unregistered.points(await unregistered.collect(), METRIC_NAMES.pulls)).toEqual([]);

    // Register the SDK globally: a client with the default setting records into it.
    const global = harness();
    trace.setGlobalTracerProvider(global.tracerProvider);
    metrics.setGlobalMeterProvider(global.meterProvider);
    const byDefault = client(sim);
    await byDefault.manifests.get(ref);
    expect(byName(global.spans(), 'docker_hub.manifests.get')).toHaveLength(1);
    expect(sum(global.points(await global.collect(), METRIC_NAMES.pulls))).toBe(1);

    // telemetry: false records nothing, even with the global SDK there.
    const off = client(sim, false);
    await off.manifests.get(ref);
    await off.tags.list(ref);
    expect(byName(global.spans(), 'docker_hub.manifests.get')).toHaveLength(1);
    expect(byName(global.spans(), 'docker_hub.tags.list')).toHaveLength(0);
    expect(sum(global.points(await global.collect(), METRIC_NAMES.pulls))).toBe(1);

    // Closing the client disposes its instrumentation: later calls record nothing.
    await byDefault.manifests.get(ref);
    expect(byName(global.spans(), 'docker_hub.manifests.get')).toHaveLength(2);
    await byDefault.close();
    await byDefault.manifests.get(ref).catch(() => undefined);
    expect(byName(global.spans(), 'docker_hub.manifests.get')).toHaveLength(2);
  });
});
