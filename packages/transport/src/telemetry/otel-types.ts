/**
 * The small structural subset of `@opentelemetry/api` this package uses. Declaring it here (instead
 * of importing the API's types) keeps `@opentelemetry/api` an optional peer: the published `.d.ts`
 * names no module a user may not have installed, and a real `Tracer` / `Meter` still fits.
 * @packageDocumentation
 */

/** An attribute value (OpenTelemetry `AttributeValue`, restricted to what we emit). @public */
export type OtelAttributeValue = string | number | boolean | string[];

/** Attributes of a span or measurement. @public */
export type OtelAttributes = Readonly<Record<string, OtelAttributeValue>>;

/** Options for starting a span (`SpanOptions` subset). @public */
export interface OtelSpanOptions {
  /** `SpanKind`: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  readonly kind?: number;
  readonly attributes?: OtelAttributes;
}

/** A span (`Span` subset). @public */
export interface OtelSpan {
  /**
   * Sets one attribute.
   * @param key - attribute name
   * @param value - attribute value
   */
  setAttribute(key: string, value: OtelAttributeValue): unknown;
  /**
   * Sets the status: 0 unset, 1 ok, 2 error.
   * @param status - code and optional message
   */
  setStatus(status: { code: number; message?: string }): unknown;
  /**
   * Records an exception event.
   * @param exception - the error (only its code, name and message are recorded by us)
   */
  recordException(exception: { name: string; message: string; code?: string }): unknown;
  /** Ends the span. */
  end(): void;
}

/** A tracer (`Tracer` subset). @public */
export interface OtelTracer {
  /**
   * Starts a span that is a child of the active context's span.
   * @param name - span name
   * @param options - kind and attributes
   * @returns the span
   */
  startSpan(name: string, options?: OtelSpanOptions): OtelSpan;
  /**
   * Starts a span and makes it the active span while `fn` runs.
   * @param name - span name
   * @param options - kind and attributes
   * @param fn - the work
   * @returns what `fn` returns
   */
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    options: OtelSpanOptions,
    fn: F,
  ): ReturnType<F>;
}

/** Options for creating an instrument. @public */
export interface OtelInstrumentOptions {
  readonly description?: string;
  readonly unit?: string;
  readonly advice?: { readonly explicitBucketBoundaries?: number[] };
}

/** A counter (`Counter` subset). @public */
export interface OtelCounter {
  /**
   * Adds to the counter.
   * @param value - non-negative amount
   * @param attributes - dimensions
   */
  add(value: number, attributes?: OtelAttributes): void;
}

/** A histogram (`Histogram` subset). @public */
export interface OtelHistogram {
  /**
   * Records one value.
   * @param value - the value
   * @param attributes - dimensions
   */
  record(value: number, attributes?: OtelAttributes): void;
}

/** What an observable callback reports into (`ObservableResult` subset). @public */
export interface OtelObservableResult {
  /**
   * Reports one value.
   * @param value - the value
   * @param attributes - dimensions
   */
  observe(value: number, attributes?: OtelAttributes): void;
}

/** A callback of an observable instrument. @public */
export type OtelObservableCallback = (result: OtelObservableResult) => void;

/** An observable gauge (`ObservableGauge` subset). @public */
export interface OtelObservableGauge {
  /** @param callback - called on every collection */
  addCallback(callback: OtelObservableCallback): void;
  /** @param callback - a callback added before */
  removeCallback(callback: OtelObservableCallback): void;
}

/** A meter (`Meter` subset). @public */
export interface OtelMeter {
  /**
   * @param name - metric name
   * @param options - description and unit
   * @returns the counter
   */
  createCounter(name: string, options?: OtelInstrumentOptions): OtelCounter;
  /**
   * @param name - metric name
   * @param options - description, unit and bucket advice
   * @returns the histogram
   */
  createHistogram(name: string, options?: OtelInstrumentOptions): OtelHistogram;
  /**
   * @param name - metric name
   * @param options - description and unit
   * @returns the gauge
   */
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservableGauge;
}

/** The parts of the `@opentelemetry/api` module object we use. @public */
export interface OtelApi {
  readonly trace: {
    getTracer(name: string, version?: string): OtelTracer;
    /** The global tracer provider (a proxy whose delegate is the registered SDK's provider). */
    getTracerProvider?(): object;
  };
  readonly metrics: {
    getMeter(name: string, version?: string): OtelMeter;
    /** The global meter provider (the API's no-op one until an SDK is registered). */
    getMeterProvider?(): object;
  };
}

/** Instrumentation scope name used for the default tracer and meter. @public */
export const INSTRUMENTATION_SCOPE = '@llmdevops/docker-hub-transport';
