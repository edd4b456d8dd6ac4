import { createWriteStream } from 'node:fs';
import { ArchiveInvalidError, type DockerHubClient } from '@llmdevops/docker-hub-services';

/** What to copy through a tar file, and where progress lines go. */
export interface RoundTrip {
  readonly from: string;
  readonly to: string;
  readonly file: string;
  readonly log: (line: string) => void;
}

/**
 * Exports an image to a docker-archive file (what `docker load` reads), then imports that file
 * into another repository; an unsafe archive is reported by what is wrong with it.
 * @param client - a client that can read `from` and push to `to`
 * @param job - the image, the destination, the archive's path, a logger
 * @returns the exported and the imported manifest digests
 */
export async function roundTrip(client: DockerHubClient, job: RoundTrip): Promise<{ exported: string; imported: string }> {
  const exported = await client.images.export(job.from, createWriteStream(job.file), {
    format: 'docker-archive', // or 'oci-archive', with allPlatforms or platforms
    onBlob: (b) => {
      job.log(`exported ${b.digest} (${b.size} bytes)`);
    },
    signal: AbortSignal.timeout(600_000),
  });
  try {
    // A path is read in place; a stream (stdin) or bytes are spooled to a private temp directory.
    const imported = await client.images.import(job.file, job.to, { compress: false, maxSize: 8 * 2 ** 30 });
    return { exported: exported.digest, imported: imported.digest };
  } catch (err) {
    if (err instanceof ArchiveInvalidError) job.log(`refused: ${err.problem} at ${err.entry ?? '(archive)'}`);
    throw err;
  }
}
