import { ConfigError } from '@llmdevops/docker-hub-core';
import { loadSyncFile, type CopyRepositoryResult, type DockerHubClient } from '@llmdevops/docker-hub-services';

/**
 * Mirrors the release tags of a repository: semantic versions from 1.0 on, no release candidates,
 * the ten most recent; tags already mirrored cost one HEAD each side and nothing else.
 * @param client - a client that can read `from` and push to `to`
 * @param from - the source repository, e.g. `docker.io/library/alpine`
 * @param to - the mirror repository
 * @param log - where progress lines go
 * @returns what the run did
 */
export async function mirrorReleases(client: DockerHubClient, from: string, to: string, log: (line: string) => void): Promise<CopyRepositoryResult> {
  const result = await client.images.copyRepository(from, to, {
    tags: { semver: '>=1.0.0', exclude: '.*-rc.*', last: 10 },
    jobs: 4,
    keepGoing: true,
    // Short of Docker Hub pulls: wait for the budget, leaving 20 for others.
    rateLimit: { waitForReset: true, reserve: 20 },
    signal: AbortSignal.timeout(3_600_000),
    onEvent: (e) => {
      if (e.type === 'tag') log(`${e.result.tag}: ${e.result.state}${e.result.message === undefined ? '' : ` (${e.result.message})`}`);
      if (e.type === 'rate-limit-wait') log(`waiting for the pull budget until ${e.until.toISOString()}`);
    },
  });
  log(`${result.copied} copied, ${result.unchanged} unchanged, ${result.failed} failed`);
  return result;
}

/**
 * Runs a sync file (the YAML `dhub sync` reads); a mistake in it is reported with its position.
 * @param client - the client
 * @param path - the YAML file
 * @param log - where problems go
 * @returns the number of tags (and entries) that failed, or -1 for an invalid file
 */
export async function syncFile(client: DockerHubClient, path: string, log: (line: string) => void): Promise<number> {
  try {
    const result = await client.images.sync(await loadSyncFile(path));
    return result.failed;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // e.g. "syncs.0.tagz: unknown key; expected one of source, target, ... (at mirror.yaml:4:5)"
    for (const issue of err.issues) log(`${issue.path}: ${issue.message}`);
    return -1;
  }
}
