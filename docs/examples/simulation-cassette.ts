import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDockerHubError, MediaType } from '@llmdevops/docker-hub-core';
import { DockerHubClient, type DockerHubConfigInput } from '@llmdevops/docker-hub-services';
import { createCassette, createSimulator, findSecrets } from '@llmdevops/docker-hub-simulation';

const PASSWORD = 'alice-pw';

/** What a recorded or replayed session saw. */
export interface Session {
  readonly digest: string;
  readonly tags: string[];
}

async function session(client: DockerHubClient): Promise<Session> {
  const { digest } = await client.manifests.get('alice/app:v1');
  return { digest, tags: await client.tags.list('alice/app') };
}

function clientFor(dispatcher: DockerHubConfigInput['dispatcher']): DockerHubClient {
  return new DockerHubClient(
    {
      registryUrl: 'http://127.0.0.1:5000',
      auth: { username: 'alice', password: PASSWORD },
      ...(dispatcher === undefined ? {} : { dispatcher }),
    },
    { env: {} },
  );
}

/**
 * Records a session against the simulator (any `FetchHandler` can be the upstream; use
 * `dispatcherUpstream(new Agent())` for the real Docker Hub), then replays it with no upstream.
 * @param dir - where the cassette is written
 * @returns both sessions, the secrets found in the file (none), and the code of an unrecorded request
 */
export async function recordThenReplay(dir: string): Promise<{
  recorded: Session;
  replayed: Session;
  secretsInFile: number[];
  miss: string;
}> {
  const path = join(dir, 'alice-app.json');
  const sim = createSimulator({
    profile: 'dockerhub',
    users: [{ name: 'alice', password: PASSWORD, namespaces: ['alice'] }],
  });
  const seeder = clientFor(sim.dispatcher);
  const config = await seeder.blobs.upload('alice/app', new TextEncoder().encode('{}'));
  await seeder.manifests.put('alice/app:v1', {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: config, size: 2 },
    layers: [],
  });
  await seeder.close();

  // 1. Record: requests go to the upstream and are written (redacted) by save().
  const recorder = createCassette({
    path,
    mode: 'record',
    upstream: (request) => sim.fetch(request),
  });
  const recording = clientFor(recorder.dispatcher);
  const recorded = await session(recording);
  await recording.close();
  await recorder.save();
  await sim.close();

  // 2. The file holds no password and no token: Authorization headers are never recorded and
  //    token fields in bodies become "[REDACTED]".
  const secretsInFile = findSecrets(await readFile(path, 'utf8'), [PASSWORD]);

  // 3. Replay: no simulator, no network. A request that was not recorded fails by name.
  const player = createCassette({ path, mode: 'replay' });
  const replaying = clientFor(player.dispatcher);
  try {
    const replayed = await session(replaying);
    const miss = await replaying.manifests.get('alice/app:v2').then(
      () => 'no error',
      (err: unknown) => (isDockerHubError(err) ? err.code : 'unexpected'),
    );
    return { recorded, replayed, secretsInFile, miss };
  } finally {
    await replaying.close();
  }
}
