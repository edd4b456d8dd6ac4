import { json } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { useCassette } from '@llmdevops/docker-hub-simulation/vitest';
import { describe, expect, it } from 'vitest';

// Recorded once against a real registry (CNCF distribution with token auth):
//   DHUB_CASSETTE_MODE=record REGISTRY_URL=http://127.0.0.1:5000 \
//     REGISTRY_USER=alice REGISTRY_PASSWORD=... npx vitest run
// and replayed everywhere else: under CI, or locally once the files exist, nothing is dialled
// and any address, user and password will do.
const registryUrl = process.env['REGISTRY_URL'] ?? 'http://127.0.0.1:5000';
const username = process.env['REGISTRY_USER'] ?? 'alice';
const password = process.env['REGISTRY_PASSWORD'] ?? 'not-needed-on-replay';

describe('hello image', () => {
  // One cassette per test: fixtures/cassettes/docs/hello/hello-image-<test title>.json
  const cassette = useCassette('hello', {
    dir: fileURLToPath(new URL('../../fixtures/cassettes/docs', import.meta.url)),
    // Token requests carry the user's name (`account=`): ignored, so anyone can replay.
    matchRequestsBy: { ignoreQuery: ['_state', 'account'] },
  });
  const connect = (): DockerHubClient =>
    new DockerHubClient(
      { registryUrl, auth: { username, password }, dispatcher: cassette.dispatcher },
      { env: {} },
    );

  it('lists the tags', async () => {
    const client = connect();
    try {
      expect(await client.tags.list('demo/hello')).toEqual(['v1', 'v2']);
    } finally {
      await client.close(); // an injected dispatcher stays open for the next test
    }
  });

  it('reads the v1 manifest and its config', async () => {
    const client = connect();
    try {
      const got = await client.manifests.get('demo/hello:v1');
      expect(got.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      if (got.kind !== 'image') throw new Error('expected an image manifest');
      const config = got.manifest.config.digest;
      expect(await json(client.blobs.get('demo/hello', config))).toMatchObject({ os: 'linux' });
    } finally {
      await client.close();
    }
  });
});
