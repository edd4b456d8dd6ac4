// Starts the real CNCF distribution registry (Debian `docker-registry`) on 127.0.0.1 with a
// notification endpoint, so its own deliveries exercise the receiver end to end. Never skips:
// a missing binary fails with an install hint (from the shared tooling/registry harness).
import { startRealRegistry } from '../../../tooling/registry/real-registry.js';

export interface NotifyingRegistry {
  readonly url: string;
  stop(): Promise<void>;
}

export interface NotificationEndpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

function notificationsYaml(endpoint: NotificationEndpoint): string {
  const headers = Object.entries(endpoint.headers).map(
    ([k, v]) => `        ${k}: [${JSON.stringify(v)}]`,
  );
  return [
    'notifications:',
    '  endpoints:',
    '    - name: receiver',
    `      url: ${endpoint.url}`,
    '      headers:',
    ...headers,
    '      timeout: 2s',
    '      threshold: 3',
    '      backoff: 200ms',
  ].join('\n');
}

export async function startNotifyingRegistry(
  endpoint: NotificationEndpoint,
): Promise<NotifyingRegistry> {
  const registry = await startRealRegistry({
    auth: 'none',
    extraConfig: notificationsYaml(endpoint),
  });
  return { url: registry.url, stop: () => registry.stop() };
}
