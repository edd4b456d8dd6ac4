// Builds a small multi-platform OCI image layout on disk: two platforms, gzip layers made with
// node:zlib over hand-written tar archives, configs with matching diff_ids, and an index.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function tar(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  const body = Buffer.from(content);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, pad, Buffer.alloc(1024)]);
}

export interface Layout {
  dir: string;
  indexDigest: string;
  manifestDigests: string[];
  blobDigests: string[];
}

export async function writeMultiArchLayout(dir: string, tag: string): Promise<Layout> {
  const blobsDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  const put = async (bytes: Buffer | string) => {
    const hex = sha(bytes);
    await writeFile(join(blobsDir, hex), bytes);
    return `sha256:${hex}`;
  };
  const manifests: {
    digest: string;
    size: number;
    platform: { os: string; architecture: string };
  }[] = [];
  const blobDigests: string[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const raw = tar(`hello-${arch}.txt`, `hello from ${arch}\n`);
    const gz = gzipSync(raw, { level: 9 });
    gz[9] = 3; // OS byte fixed so the bytes do not depend on the host
    const layer = await put(gz);
    const config = Buffer.from(
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [`sha256:${sha(raw)}`] },
        config: {},
      }),
    );
    const configDigest = await put(config);
    blobDigests.push(layer, configDigest);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: configDigest,
          size: config.length,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: layer,
            size: gz.length,
          },
        ],
      }),
    );
    manifests.push({
      digest: await put(manifest),
      size: manifest.length,
      platform: { os: 'linux', architecture: arch },
    });
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: manifests.map((m) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...m,
      })),
    }),
  );
  const indexDigest = await put(index);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: indexDigest,
          size: index.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return { dir, indexDigest, manifestDigests: manifests.map((m) => m.digest), blobDigests };
}
