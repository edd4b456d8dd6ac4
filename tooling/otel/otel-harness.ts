// The one in-memory OpenTelemetry SDK for every package's telemetry tests: spans go to an InMemorySpanExporter, metrics are pulled
// through a PeriodicExportingMetricReader (never on its timer: forceFlush) into an
// InMemoryMetricExporter.
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { Meter, Tracer } from '@opentelemetry/api';

/** One data point as tests read it. */
export interface Point {
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Counter or gauge value; histogram count. */
  readonly value: number;
  /** Histogram sum, when a histogram. */
  readonly sum: number | undefined;
}

export interface OtelHarness {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  spans(): ReadableSpan[];
  /** Collects metrics now; returns metric name -> data. */
  collect(): Promise<Map<string, MetricData>>;
  /** Data points of one metric after `collect()`; empty when it was never recorded. */
  points(metrics: Map<string, MetricData>, name: string): Point[];
  reset(): void;
  shutdown(): Promise<void>;
}

export function createOtelHarness(): OtelHarness {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracer: tracerProvider.getTracer('test'),
    meter: meterProvider.getMeter('test'),
    tracerProvider,
    meterProvider,
    spans: () => spanExporter.getFinishedSpans(),
    async collect() {
      metricExporter.reset();
      await reader.forceFlush();
      const out = new Map<string, MetricData>();
      for (const rm of metricExporter.getMetrics()) {
        for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.descriptor.name, m);
      }
      return out;
    },
    points(metrics, name) {
      const m = metrics.get(name);
      if (m === undefined) return [];
      return m.dataPoints.map((p) => {
        const v = p.value as number | { count: number; sum?: number };
        return typeof v === 'number'
          ? { attributes: p.attributes, value: v, sum: undefined }
          : { attributes: p.attributes, value: v.count, sum: v.sum };
      });
    },
    reset() {
      spanExporter.reset();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** Sum of the values of the points whose attributes include `match`. */
export function sum(points: readonly Point[], match: Readonly<Record<string, unknown>> = {}): number {
  return points
    .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
    .reduce((n, p) => n + p.value, 0);
}
