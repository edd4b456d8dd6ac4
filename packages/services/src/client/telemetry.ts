import { isDockerHubError, type ImageReference } from '@llmdevops/docker-hub-core';
import {
  instrumentTransport,
  recordOperationError,
  resolveMeter,
  withOperationSpan,
  type OperationSpan,
  type OtelAttributes,
  type OtelMeter,
  type OtelTracer,
  type Transport,
  type TransportInstrumentation,
} from '@llmdevops/docker-hub-transport';
import { recordDigestMismatch } from '../telemetry/digest-mismatch.js';
import { countImageTransfers } from '../telemetry/image-counters.js';
import { routeTemplate } from '../telemetry/route-template.js';
import { createVulnerabilityGauge, type VulnerabilityGauge } from '../telemetry/vulnerability-gauge.js';

/** Where {@link DockerHubClient} sends its spans and metrics. @public */
export interface ClientTelemetryOptions {
  /** Tracer for operation and HTTP attempt spans; default: the global tracer of `@opentelemetry/api`. */
  readonly tracer?: OtelTracer;
  /** Meter for metrics; default: the global meter of `@opentelemetry/api`. */
  readonly meter?: OtelMeter;
}

/**
 * The `telemetry` setting of a client: `true` (the default) records through the global tracer
 * and meter of `@opentelemetry/api` when it is installed (a no-op until an SDK is registered),
 * an object names the tracer and meter to use, `false` turns telemetry off.
 * @public
 */
export type ClientTelemetry = boolean | ClientTelemetryOptions;

const NO_OP_SPAN: OperationSpan = {
  setAttribute() {
    // Telemetry off: nothing to record.
  },
};

/**
 * Span attributes of a reference: registry, repository and the tag or digest asked for (never
 * credentials; references cannot hold any).
 * @param ref - the reference
 * @param prefix - attribute prefix, e.g. `docker_hub.source` for the source of a copy
 * @returns the attributes
 * @internal
 */
export function refAttributes(ref: ImageReference, prefix = 'docker_hub'): OtelAttributes {
  return {
    [`${prefix}.registry`]: ref.registry,
    [`${prefix}.repository`]: ref.repository,
    [`${prefix}.reference`]: ref.reference,
    ...(ref.digest === undefined ? {} : { [`${prefix}.digest`]: ref.digest }),
  };
}

/**
 * Codes of failures found after a response arrived intact (so no request metric saw them): they
 * are counted in `dockerhub.errors` by the operation. Every other failure is a failed request,
 * which the transport counts.
 */
const UNREPORTED_CODES: ReadonlySet<string> = new Set(['DIGEST_MISMATCH', 'SIZE_MISMATCH', 'MANIFEST_INVALID']);

/** `namespace` / `repository` labels of a repository path (`library/alpine`, `team/sub/app`). */
function repositoryLabels(repository: string): { namespace: string; repository: string } {
  const slash = repository.indexOf('/');
  return slash < 0
    ? { namespace: '', repository }
    : { namespace: repository.slice(0, slash), repository: repository.slice(slash + 1) };
}

/**
 * The services' side of OpenTelemetry for one client: operation spans (with the transport's
 * HTTP attempt spans as children), digest mismatches and the vulnerabilities gauge. Built on the
 * transport's helpers; without `@opentelemetry/api`, or with telemetry off, every method just
 * runs the work.
 * @internal
 */
export class ServiceTelemetry {
  /** Telemetry off: spans and metrics are never recorded. */
  static readonly off: ServiceTelemetry = new ServiceTelemetry(undefined, {});

  readonly #instrumentation: TransportInstrumentation | undefined;
  readonly #tracer: OtelTracer | undefined;
  readonly #meter: OtelMeter | undefined;
  readonly #hostOf: (registry: string) => string;
  #stopCounting: (() => void) | undefined;
  #gauge: VulnerabilityGauge | undefined;
  #active: boolean;
  /** Mismatches already counted, so enclosing operations do not count them again. */
  readonly #counted = new WeakSet<object>();

  private constructor(
    instrumentation: TransportInstrumentation | undefined,
    options: ClientTelemetryOptions,
    hostOf: (registry: string) => string = (registry) => registry,
  ) {
    this.#instrumentation = instrumentation;
    this.#hostOf = hostOf;
    this.#tracer = options.tracer;
    this.#meter = options.meter;
    this.#active = instrumentation?.enabled === true;
  }

  /**
   * Instruments a client's transport (attempt spans, request metrics, gauges) as `setting` says.
   * @param transport - the client's transport (not yet used for requests)
   * @param setting - `true`, `false` or a tracer and meter
   * @param hostOf - the `host[:port]` requests for a reference's registry go to (the `host` label)
   * @returns the telemetry; disabled when `setting` is false or no tracer, meter or API exists
   */
  static create(transport: Transport, setting: ClientTelemetry = true, hostOf?: (registry: string) => string): ServiceTelemetry {
    if (setting === false) return ServiceTelemetry.off;
    const options: ClientTelemetryOptions = setting === true ? {} : setting;
    const instrumentation = instrumentTransport(transport, {
      ...(options.tracer === undefined ? {} : { tracer: options.tracer }),
      ...(options.meter === undefined ? {} : { meter: options.meter }),
      routeTemplate,
    });
    if (!instrumentation.enabled) return ServiceTelemetry.off;
    const telemetry = new ServiceTelemetry(instrumentation, options, hostOf);
    const meter = resolveMeter(options.meter);
    if (meter !== undefined)
      telemetry.#stopCounting = countImageTransfers(transport, meter, () => telemetry.#recording);
    return telemetry;
  }

  /** Whether spans and metrics are recorded (false once disposed). */
  get enabled(): boolean {
    return this.#active;
  }

  /**
   * Runs one operation in a span named `docker_hub.<operation>`, active while `fn` runs so HTTP
   * attempt spans become its children. A digest mismatch, size mismatch or invalid manifest is
   * counted once, by the innermost operation (`dockerhub.errors`, and `dockerhub.digest.mismatches`
   * for a digest mismatch), and rethrown, like every failure.
   * @param operation - e.g. `manifests.get`
   * @param attributes - span attributes (repository, reference, digest; never secrets)
   * @param fn - the work; may add attributes to the span
   * @returns what `fn` resolves to
   * @throws whatever `fn` throws
   */
  /** On, and something records now (an explicit tracer/meter, or an SDK on the global API). */
  get #recording(): boolean {
    return this.#active && this.#instrumentation?.recording === true;
  }

  async run<T>(
    operation: string,
    attributes: OtelAttributes,
    fn: (span: OperationSpan) => Promise<T>,
  ): Promise<T> {
    // With the API installed but no SDK registered, skip the span and its attributes entirely.
    if (!this.#recording) return fn(NO_OP_SPAN);
    return withOperationSpan(
      `docker_hub.${operation}`,
      async (span) => {
        try {
          return await fn(span);
        } catch (err) {
          this.#failed(operation, err, attributes);
          throw err;
        }
      },
      {
        attributes: { 'docker_hub.operation': operation, ...attributes },
        ...(this.#tracer === undefined ? {} : { tracer: this.#tracer }),
      },
    );
  }

  #failed(operation: string, err: unknown, attributes: OtelAttributes): void {
    if (!isDockerHubError(err) || !UNREPORTED_CODES.has(err.code) || this.#counted.has(err)) return;
    this.#counted.add(err);
    const meter = this.#meter === undefined ? {} : { meter: this.#meter };
    if (err.code === 'DIGEST_MISMATCH') {
      recordDigestMismatch({ operation, kind: operation.startsWith('manifests.') ? 'manifest' : 'blob' }, meter);
    }
    const registry = attributes['docker_hub.registry'];
    recordOperationError(
      { errorType: err.code, operation, ...(typeof registry === 'string' ? { host: this.#hostOf(registry) } : {}) },
      meter,
    );
  }

  /**
   * Records the counts of a scan overview in `dockerhub.vulnerabilities` (labels: namespace,
   * repository, severity; the latest overview of a repository replaces the one before).
   * @param ref - the image scanned
   * @param counts - counts by severity
   */
  vulnerabilities(ref: ImageReference, counts: Readonly<Record<string, number>>): void {
    if (!this.#recording) return;
    this.#gauge ??= createVulnerabilityGauge(this.#meter === undefined ? {} : { meter: this.#meter });
    this.#gauge.record(repositoryLabels(ref.repository), counts);
  }

  /** Stops recording: removes the transport instrumentation and the gauge. */
  dispose(): void {
    this.#active = false;
    this.#stopCounting?.();
    this.#stopCounting = undefined;
    this.#instrumentation?.dispose();
    this.#gauge?.dispose();
    this.#gauge = undefined;
  }
}
