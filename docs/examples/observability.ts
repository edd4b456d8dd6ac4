import diagnosticsChannel from 'node:diagnostics_channel';
import {
  DIAGNOSTICS_CHANNELS,
  createTransport,
  instrumentTransport,
  recordOperationError,
  withOperationSpan,
  type OtelMeter,
  type OtelTracer,
  type RequestEndEvent,
} from '@llmdevops/docker-hub-transport';

/**
 * Instruments a transport with OpenTelemetry and runs one operation under its own span, so the
 * HTTP attempt spans become its children. Pass your SDK's tracer and meter, or nothing to use the
 * global ones registered with `@opentelemetry/api` (a no-op when there is no SDK).
 * @param tagsUrl - a `/v2/<name>/tags/list` URL
 * @param otel - tracer and meter, e.g. `trace.getTracer('my-app')`, `metrics.getMeter('my-app')`
 */
export async function listTagsTraced(
  tagsUrl: string,
  otel: { tracer?: OtelTracer; meter?: OtelMeter } = {},
): Promise<string[]> {
  await using transport = createTransport();
  const telemetry = instrumentTransport(transport, otel);
  try {
    return await withOperationSpan(
      'docker_hub.tags.list',
      async (span) => {
        const res = await transport.request({
          method: 'GET',
          url: new URL(tagsUrl),
          headers: { accept: 'application/json' },
          context: { operation: 'tags.list', route: '/v2/{name}/tags/list' },
        });
        const body = await res.json<{ tags?: string[] }>();
        span.setAttribute('docker_hub.tag_count', body.tags?.length ?? 0);
        return body.tags ?? [];
      },
      otel.tracer === undefined ? {} : { tracer: otel.tracer },
    );
  } finally {
    telemetry.dispose();
  }
}

/**
 * Content that arrived intact but failed a check afterwards is counted in `dockerhub.errors`
 * (no request metric saw it fail).
 * @param meter - optional meter (default: the global one)
 */
export function reportCorruptBlob(meter?: OtelMeter): void {
  recordOperationError(
    { errorType: 'DIGEST_MISMATCH', operation: 'blobs.get' },
    meter === undefined ? {} : { meter },
  );
}

/**
 * Without OpenTelemetry: every transport also publishes its events on `node:diagnostics_channel`.
 * @param onEnd - receives every finished request (method, host, route, status, duration, bytes)
 * @returns a function that unsubscribes
 */
export function logRequests(onEnd: (e: RequestEndEvent) => void): () => void {
  const listener = (message: unknown): void => {
    onEnd(message as RequestEndEvent);
  };
  diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNELS.requestEnd, listener);
  return () => {
    diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNELS.requestEnd, listener);
  };
}
