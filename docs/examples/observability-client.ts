import { DockerHubClient, type DockerHubConfigInput } from '@llmdevops/docker-hub-services';
import type { OtelMeter, OtelTracer } from '@llmdevops/docker-hub-transport';

/**
 * Pulls an image into an OCI layout with OpenTelemetry on. With an SDK registered globally
 * (e.g. `new NodeSDK({ ... }).start()` from `@opentelemetry/sdk-node`) every client records by
 * default; `telemetry: { tracer, meter }` records into the ones you pass instead, and
 * `telemetry: false` turns it off for one client. The pull becomes a `docker_hub.images.pull`
 * span with `docker_hub.manifests.get` and `docker_hub.blobs.get` spans below it, and the HTTP
 * attempt spans below those; the manifest GETs count in `dockerhub.image.pulls`.
 * @param image - e.g. `alpine:3.19`
 * @param dir - the OCI layout directory to write
 * @param otel - tracer and meter; leave out to use the global ones
 * @param config - client configuration (credentials, registry URL, dispatcher)
 * @returns the digest pulled
 */
export async function pullWithTelemetry(
  image: string,
  dir: string,
  otel: { tracer?: OtelTracer; meter?: OtelMeter } = {},
  config: DockerHubConfigInput = {},
): Promise<string> {
  const client = new DockerHubClient(config, {
    telemetry: otel.tracer === undefined && otel.meter === undefined ? true : otel,
  });
  try {
    const { digest } = await client.images.pull(image, dir);
    return digest;
  } finally {
    await client.close(); // also stops the client's instrumentation
  }
}
