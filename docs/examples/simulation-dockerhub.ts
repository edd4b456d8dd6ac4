import { isDockerHubError, MediaType } from '@llmdevops/docker-hub-core';
import { DockerHubClient, type DockerHubConfigInput } from '@llmdevops/docker-hub-services';
import { createSimulator } from '@llmdevops/docker-hub-simulation';

/**
 * A simulated Docker Hub: token auth, a private repository, pull rate limits, and a clock the
 * test moves instead of waiting six hours.
 * @returns what each step observed
 */
export async function dockerHubSession(): Promise<{
  remaining: number | undefined;
  limited: string;
  anonymous: string;
  afterWindow: string;
}> {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const sim = createSimulator({
    profile: 'dockerhub', // token auth, rate limits and the Hub API, as Docker Hub behaves
    users: [{ name: 'alice', password: 'alice-pw', namespaces: ['alice'] }],
    repositories: { 'alice/app': { private: true } },
    rateLimits: { authenticatedLimit: 2 }, // 2 manifest pulls per 6 h window instead of 200
    clock: { now: () => now }, // rate-limit windows and token expiry follow this clock
  });
  // docker.io references (`alice/app`) go to `registryUrl`; the dispatcher answers in-process.
  const base: DockerHubConfigInput = {
    registryUrl: 'http://127.0.0.1:5000',
    hubUrl: 'http://127.0.0.1:5000',
    cache: { enabled: false }, // every get below reaches the registry and counts as a pull
    dispatcher: sim.dispatcher,
  };
  // `env: {}`: no credentials from this machine's environment or ~/.docker/config.json.
  const alice = new DockerHubClient(
    { ...base, auth: { username: 'alice', password: 'alice-pw' } },
    { env: {} },
  );
  const anonymous = new DockerHubClient(base, { env: {} });
  const codeOf = async (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'ok',
      (err: unknown) => (isDockerHubError(err) ? err.code : 'unexpected'),
    );
  try {
    const config = await alice.blobs.upload('alice/app', new TextEncoder().encode('{}'));
    await alice.manifests.put('alice/app:v1', {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: config, size: 2 },
      layers: [],
    });
    await alice.manifests.get('alice/app:v1'); // pull 1
    await alice.manifests.get('alice/app:v1'); // pull 2: the limit
    const remaining = alice.rateLimitStatus()?.remaining; // from the ratelimit-remaining header
    // Pull 3 gets 429 with a Retry-After of hours: the client fails fast instead of waiting.
    const limited = await codeOf(alice.manifests.get('alice/app:v1'));
    // The private repository does not exist for anyone else (Docker Hub hides it behind 401).
    const anonymousCode = await codeOf(anonymous.manifests.get('alice/app:v1'));
    now += 6 * 60 * 60 * 1000; // a new window (and alice's token has expired: she gets a new one)
    const afterWindow = await codeOf(alice.manifests.get('alice/app:v1'));
    return { remaining, limited, anonymous: anonymousCode, afterWindow };
  } finally {
    await alice.close();
    await anonymous.close();
    await sim.close();
  }
}
