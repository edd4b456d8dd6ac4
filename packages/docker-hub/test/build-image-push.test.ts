// The simulation package's buildImage pushed with the umbrella's DockerHubClient (it fits
// ImagePushTarget as is): platform manifests by digest, then the index by tag, read back.
import { buildImage, createSimulator } from '@llmdevops/docker-hub-simulation';
import { describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';

describe('buildImage pushed with DockerHubClient', () => {
  it('reads back the same index digest, platform manifests and config', async () => {
    const image = buildImage({
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      layers: [{ files: { 'hello.txt': 'hi' } }],
      seed: 'push',
    });
    const sim = createSimulator();
    const client = new DockerHubClient({ dispatcher: sim.dispatcher });
    try {
      const pushed = await image.push(client, '127.0.0.1:5000/team/app:v1');
      expect(pushed).toBe(image.digest);
      const got = await client.manifests.get('127.0.0.1:5000/team/app:v1');
      expect(got.digest).toBe(image.digest);
      if (got.kind !== 'index') throw new Error('expected an index');
      expect(got.manifest.manifests.map((m) => m.digest)).toEqual(
        image.manifests.map((m) => m.digest),
      );
      const arm = await client.manifests.get(
        `127.0.0.1:5000/team/app@${image.manifests[1]?.digest ?? ''}`,
      );
      if (arm.kind !== 'image') throw new Error('expected an image manifest');
      expect(arm.manifest.config.digest).toBe(image.manifests[1]?.config);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
