import { createAuthMiddleware, createCredentialProvider } from '@llmdevops/docker-hub-auth';
import { createTransport, errorFromResponse } from '@llmdevops/docker-hub-transport';

/** Where to look for credentials (defaults: `process.env`, `$DOCKER_CONFIG` or `~/.docker`). */
export interface CredentialLocation {
  readonly env?: NodeJS.ProcessEnv;
  readonly configDir?: string;
}

/**
 * Lists the tags of a (private) repository. Credentials come, in order, from explicit options,
 * `DOCKER_HUB_USERNAME` + `DOCKER_HUB_ACCESS_TOKEN` (Docker Hub only), Docker's `config.json`
 * (credential helpers, then `auths`), else anonymous. The auth middleware answers the registry's
 * `WWW-Authenticate` challenge, fetches a token for exactly the scope needed and caches it.
 * @param registry - e.g. `https://registry-1.docker.io`
 * @param repository - e.g. `myorg/private-app`
 * @param where - where credentials are read from
 */
export async function listPrivateTags(
  registry: string,
  repository: string,
  where: CredentialLocation = {},
): Promise<string[]> {
  await using transport = createTransport();
  const credentials = createCredentialProvider(where);
  const auth = createAuthMiddleware({
    credentials,
    transportNext: (req) => transport.request(req),
  });
  transport.use(auth, { before: 'redirect' }); // inside retry, outside redirect
  try {
    const res = await transport.request({
      method: 'GET',
      url: new URL(`/v2/${repository}/tags/list`, registry),
      headers: { accept: 'application/json' },
      context: { repository, actions: ['pull'], operation: 'tags.list' },
    });
    if (res.status >= 400) throw await errorFromResponse(res, `list tags of ${repository}`);
    return (await res.json<{ tags?: string[] }>()).tags ?? [];
  } finally {
    auth.dispose(); // zeroes cached tokens
    credentials.dispose(); // zeroes resolved passwords and tokens
  }
}
