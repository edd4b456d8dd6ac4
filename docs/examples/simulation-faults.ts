import { isDockerHubError } from '@llmdevops/docker-hub-core';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { createSimulator } from '@llmdevops/docker-hub-simulation';

/**
 * Scripted faults: the client must finish correctly or fail cleanly. Each rule matches requests
 * by method, path and the n-th matching request (`attempt`), so a run repeats exactly.
 * @returns what the client saw
 */
export async function survivesFaults(): Promise<{
  body: string;
  corrupted: string;
  retries: number;
}> {
  const sim = createSimulator({
    faults: [
      // The first HEAD answers 503 once: retried.
      { match: { method: 'HEAD' }, status: 503, times: 1 },
      // The first blob read is cut after 4 bytes: the client resumes with a Range request.
      { match: { method: 'GET', path: /\/blobs\//, attempt: 1 }, resetAfterBytes: 4 },
      // The third blob read has one byte flipped: the digest check fails at the end of the stream.
      { match: { method: 'GET', path: /\/blobs\//, attempt: 3 }, corrupt: true },
    ],
  });
  let retries = 0;
  const client = new DockerHubClient(
    { dispatcher: sim.dispatcher, cache: { enabled: false } },
    { random: () => 0 }, // no backoff jitter: retries go at once (a test seam, like `clock`)
  );
  client.events.on('retry', () => {
    retries += 1;
  });
  const repo = '127.0.0.1:5000/team/app';
  try {
    const digest = await client.blobs.upload(repo, new TextEncoder().encode('hello, faults'));
    await client.blobs.exists(repo, digest); // a HEAD: 503, then 200
    const read = async (): Promise<string> =>
      Buffer.concat(await client.blobs.get(repo, digest).toArray()).toString();
    const body = await read(); // attempt 1 (reset) and 2 (the rest)
    const corrupted = await read().then(
      () => 'no error',
      (err: unknown) => (isDockerHubError(err) ? err.code : 'unexpected'),
    );
    return { body, corrupted, retries };
  } finally {
    await client.close();
    await sim.close();
  }
}
