import type { AuthEvent } from '@llmdevops/docker-hub-auth';
import { DockerHubClient, type DockerHubConfigInput } from '@llmdevops/docker-hub-services';

/**
 * Lists the private repositories of the logged-in account. One account serves the registry and
 * the Docker Hub API: `login()` checks it against the registry, then obtains the Hub API JWT
 * (asking `askCode` when a password login of a 2FA account needs a one-time code), and the Hub
 * services reuse that JWT, renewed before it expires. Authentication events arrive on
 * `client.events` as `auth`, without secrets.
 * @param config - the client configuration, e.g. `{ auth: { username, accessToken } }`
 * @param askCode - supplies the one-time code (a prompt, an authenticator integration)
 * @returns the private repositories' names and one line per auth event
 */
export async function privateRepositories(
  config: DockerHubConfigInput,
  askCode: () => Promise<string>,
): Promise<{ names: string[]; auth: string[] }> {
  const client = new DockerHubClient(config, { onTwoFactor: () => askCode() });
  const auth: string[] = [];
  client.events.on('auth', (e: AuthEvent) => {
    auth.push(`${e.type} ${e.type === 'token' ? e.realmHost : e.host}`);
  });
  try {
    const { username } = await client.login(); // fails here on refused credentials or 2FA code
    const names: string[] = [];
    for await (const repo of client.repositories.list(username)) {
      if (repo.isPrivate) names.push(repo.name);
    }
    return { names, auth };
  } finally {
    await client.close();
  }
}
