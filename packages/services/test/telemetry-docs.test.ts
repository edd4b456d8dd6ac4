// Runs docs/examples/observability-client.ts (embedded verbatim in docs/observability.md) against
// the in-process simulator with an in-memory OpenTelemetry SDK: once with an explicit tracer and
// meter, once through the global SDK. Loaded by path so this package's typecheck does not pull
// the example in (it typechecks with docs/examples/tsconfig.json).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpanKind, context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import type { OtelMeter, OtelTracer } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient, METRIC_NAMES, type DockerHubConfigInput } from '../src/index.js';
import { writeLayout } from './oci-fixture.js';
import { createOtelHarness, sum, type OtelHarness } from '../../../tooling/otel/otel-harness.js';

type PullWithTelemetry = (
  image: string,
  dir: string,
  otel?: { tracer?: OtelTracer; meter?: OtelMeter },
  config?: DockerHubConfigInput,
) => Promise<string>;

const EXAMPLE = new URL('../../../docs/examples/observability-client.ts', import.meta.url);
const IMAGE = '127.0.0.1:5000/team/app:v1';

let sim: Simulator;
let work: string;
let pushed: string;
let pullWithTelemetry: PullWithTelemetry;
const harnesses: OtelHarness[] = [];

beforeAll(async () => {
  // What an application's SDK (e.g. NodeSDK) registers; spans nest through it.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  sim = createSimulator();
  work = mkdtempSync(join(tmpdir(), 'svc-telemetry-docs-'));
  const src = join(work, 'src');
  writeLayout(src, 'v1', ['amd64'], 10_000);
  const setup = new DockerHubClient({ dispatcher: sim.dispatcher }, { telemetry: false });
  pushed = (await setup.images.push(src, IMAGE)).digest;
  await setup.close();
  ({ pullWithTelemetry } = (await import(fileURLToPath(EXAMPLE))) as {
    pullWithTelemetry: PullWithTelemetry;
  });
});
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.shutdown()));
  await sim.close();
  rmSync(work, { recursive: true, force: true });
  context.disable();
  trace.disable();
  metrics.disable();
});

function harness(): OtelHarness {
  const h = createOtelHarness();
  harnesses.push(h);
  return h;
}

describe('docs/examples/observability-client.ts', () => {
  it('is embedded verbatim in docs/observability.md', () => {
    const doc = readFileSync(new URL('../../../docs/observability.md', import.meta.url), 'utf8');
    const code = readFileSync(EXAMPLE, 'utf8');
    expect(doc).toContain(
      `<!-- example: docs/examples/observability-client.ts -->\n\n\`\`\`ts\n${code}\`\`\``,
    );
  });

  it('records the pull span tree and the pull counter into the tracer and meter passed', async () => {
    const otel = harness();
    const digest = await pullWithTelemetry(IMAGE, join(work, 'explicit'), otel, {
      dispatcher: sim.dispatcher,
    });
    expect(digest).toBe(pushed);
    const spans = otel.spans();
    const pull = spans.find((s) => s.name === 'docker_hub.images.pull');
    expect(pull?.attributes).toMatchObject({
      'docker_hub.repository': 'team/app',
      'docker_hub.reference': 'v1',
      'docker_hub.digest': pushed,
    });
    const manifestGet = spans.find(
      (s) =>
        s.name === 'docker_hub.manifests.get' &&
        s.parentSpanContext?.spanId === pull?.spanContext().spanId,
    );
    expect(manifestGet).toBeDefined();
    const attempt = spans.find(
      (s) =>
        s.kind === SpanKind.CLIENT &&
        s.parentSpanContext?.spanId === manifestGet?.spanContext().spanId,
    );
    expect(attempt?.name).toBe('GET /v2/{name}/manifests/{reference}');
    expect(
      sum(otel.points(await otel.collect(), METRIC_NAMES.pulls), { outcome: 'success' }),
    ).toBeGreaterThan(0);
  });

  it('records into the global SDK when no tracer or meter is passed', async () => {
    const global = harness();
    trace.setGlobalTracerProvider(global.tracerProvider);
    metrics.setGlobalMeterProvider(global.meterProvider);
    await pullWithTelemetry(IMAGE, join(work, 'global'), {}, { dispatcher: sim.dispatcher });
    expect(global.spans().filter((s) => s.name === 'docker_hub.images.pull')).toHaveLength(1);
    expect(sum(global.points(await global.collect(), METRIC_NAMES.pulls))).toBeGreaterThan(0);
  });
});
