import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MediaType, type Platform } from '@llmdevops/docker-hub-core';

/** A blob of a generated image. @internal */
export interface GeneratedBlob {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/** A generated multi-platform image: blobs, one manifest per platform, and the index. @internal */
export interface GeneratedImage {
  readonly blobs: readonly GeneratedBlob[];
  readonly manifests: readonly (GeneratedBlob & { readonly platform: Platform })[];
  readonly index: GeneratedBlob;
}

const sha256 = (bytes: Uint8Array): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function blob(mediaType: string, bytes: Uint8Array): GeneratedBlob {
  return { digest: sha256(bytes), mediaType, bytes };
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

/** One ustar header field, NUL padded. */
function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, 'ascii');
}

/**
 * A tar archive with one regular file (ustar, mtime 0, so the bytes are deterministic).
 * @param name - file name
 * @param content - file content
 * @returns the archive
 * @internal
 */
export function tarOneFile(name: string, content: Uint8Array): Buffer {
  const header = Buffer.alloc(512);
  field(header, 0, 100, name);
  field(header, 100, 8, '0000644\0');
  field(header, 108, 8, '0000000\0');
  field(header, 116, 8, '0000000\0');
  field(header, 124, 12, `${content.byteLength.toString(8).padStart(11, '0')}\0`);
  field(header, 136, 12, '00000000000\0');
  header.fill(' ', 148, 156);
  field(header, 156, 1, '0');
  field(header, 257, 6, 'ustar\0');
  field(header, 263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (content.byteLength % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

/**
 * Builds a small multi-platform OCI image in memory: per platform a gzip layer holding one text
 * file, a config and a manifest; then an index over the manifests.
 * @param platforms - e.g. linux/amd64 and linux/arm64
 * @param text - what the file says (the platform is appended)
 * @returns the image
 * @internal
 */
export function generateImage(platforms: readonly Platform[], text: string): GeneratedImage {
  const blobs: GeneratedBlob[] = [];
  const manifests: (GeneratedBlob & { platform: Platform })[] = [];
  for (const platform of platforms) {
    const tar = tarOneFile('hello.txt', Buffer.from(`${text} (${platform.toString()})\n`, 'utf8'));
    const layer = blob(MediaType.OciLayerGzip, gzipSync(tar));
    const config = blob(
      MediaType.OciConfig,
      json({
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant === undefined ? {} : { variant: platform.variant }),
        config: { Cmd: ['cat', '/hello.txt'] },
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      }),
    );
    const manifest = blob(
      MediaType.OciManifest,
      json({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: {
          mediaType: config.mediaType,
          digest: config.digest,
          size: config.bytes.byteLength,
        },
        layers: [
          { mediaType: layer.mediaType, digest: layer.digest, size: layer.bytes.byteLength },
        ],
      }),
    );
    blobs.push(layer, config);
    manifests.push({ ...manifest, platform });
  }
  const index = blob(
    MediaType.OciIndex,
    json({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: manifests.map((m) => ({
        mediaType: m.mediaType,
        digest: m.digest,
        size: m.bytes.byteLength,
        platform: {
          os: m.platform.os,
          architecture: m.platform.architecture,
          ...(m.platform.variant === undefined ? {} : { variant: m.platform.variant }),
        },
      })),
    }),
  );
  return { blobs, manifests, index };
}
