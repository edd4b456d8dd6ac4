import type { Secret } from '@llmdevops/docker-hub-core';
import { createAuthMiddleware, createHubLogin } from '@llmdevops/docker-hub-auth';
import { createTransport, errorFromResponse } from '@llmdevops/docker-hub-transport';

/**
 * Lists a namespace's repositories through the Docker Hub API, logged in with a personal access
 * token (or an organization access token, with the organization name as `identifier`). The JWT
 * from `POST /v2/auth/token` lives 10 minutes; the session renews it before it expires.
 * @param hubUrl - `https://hub.docker.com` (or `DOCKER_HUB_URL`)
 * @param identifier - username, or organization name for an organization access token
 * @param token - the PAT or OAT, e.g. `new Secret(process.env.DOCKER_HUB_ACCESS_TOKEN ?? '')`
 * @param namespace - whose repositories to list
 */
export async function listRepositories(
  hubUrl: string,
  identifier: string,
  token: Secret,
  namespace: string,
): Promise<string[]> {
  await using transport = createTransport();
  const hub = createHubLogin({
    hubUrl,
    identifier,
    secret: token,
    send: (req) => transport.request(req),
  });
  const auth = createAuthMiddleware({ hub }); // requests to the Hub API origin carry `Bearer <JWT>`
  transport.use(auth, { before: 'redirect' });
  try {
    const res = await transport.request({
      method: 'GET',
      url: new URL(`/v2/repositories/${namespace}/?page_size=100`, hubUrl),
      headers: { accept: 'application/json' },
    });
    if (res.status >= 400) throw await errorFromResponse(res, `list repositories of ${namespace}`);
    const page = await res.json<{ results: { name: string }[] }>();
    return page.results.map((r) => r.name);
  } finally {
    auth.dispose();
    hub.dispose(); // zeroes the JWT and the stored token
  }
}
