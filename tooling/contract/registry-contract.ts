// The registry contract suite (house style C14): one set of tests run against every backend
// (the real CNCF distribution registry with token and Basic auth, the simulator in-process and
// over loopback). Where a backend legitimately departs from the OCI spec (distribution 2.8
// ignores `n`/`last`, has no tag delete), the backend says so in `quirks` and the test asserts
// what that backend really does.
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DockerHubClient, UploadSession } from '@llmdevops/docker-hub-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Who a client acts as. */
export type ContractRole = 'writer' | 'reader' | 'anonymous' | 'wrong-password';

/** What a backend must provide. */
export interface RegistryBackend {
  /** `host:port` used in references (loopback, so plain HTTP). */
  readonly registry: string;
  /** Prefix of every repository the suite creates, e.g. `contract`. */
  readonly repositoryPrefix: string;
  /**
   * A client acting as a role.
   * @param role - writer (push/pull/delete), reader (pull only), anonymous, wrong password
   * @returns the client
   */
  client(role: ContractRole): DockerHubClient;
  /** Differences from the OCI spec that the backend really has. */
  readonly quirks: {
    /** The registry honours `n`/`last` on tags/list (distribution 2.8 does not). */
    readonly tagPagination: boolean;
    /** Reader pushes fail with this code (`DENIED` for token auth); undefined when every user may push (htpasswd). */
    readonly readerPushCode: string | undefined;
    /** Anonymous clients may pull (the simulator's public repositories); distribution's token setup here grants nothing. */
    readonly anonymousPull: boolean;
  };
  /** Stops the backend. */
  close(): Promise<void>;
}

const CODES_OF = (err: unknown): string => (typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : String(err));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return CODES_OF(err);
  }
  return 'NO_ERROR';
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A small OCI image (config + one layer) whose blobs are pushed to `repo`. */
async function pushImage(client: DockerHubClient, repo: string, tag: string, arch = 'amd64'): Promise<{ digest: string; manifest: Uint8Array; layer: Buffer }> {
  const layer = randomBytes(1500);
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  const configDigest = await client.blobs.upload(repo, config);
  const layerDigest = await client.blobs.upload(repo, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
    }),
  );
  const digest = await client.manifests.put(`${repo}:${tag}`, manifest);
  return { digest, manifest, layer };
}

/** What every part of the contract uses: the backend, a writing client and fresh repository names. */
interface ContractScope {
  readonly backend: RegistryBackend;
  readonly writer: DockerHubClient;
  /** A repository name no other test uses. */
  repo(what: string): string;
}

/** The manifests part of the contract. */
function manifestsContract(t: ContractScope): void {
  describe('manifests', () => {
    it('puts by tag and gets the exact bytes by tag and by digest, verified', async () => {
      const r = t.repo('m');
      const { digest, manifest } = await pushImage(t.writer, r, 'v1');
      expect(digest).toBe(sha256(manifest));
      const byTag = await t.writer.manifests.get(`${r}:v1`);
      expect(byTag.digest).toBe(digest);
      expect(Buffer.from(byTag.bytes).equals(manifest)).toBe(true);
      expect(byTag.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(byTag.kind).toBe('image');
      const byDigest = await t.writer.manifests.get(`${r}@${digest}`);
      expect(byDigest.digest).toBe(digest);
      const head = await t.writer.manifests.head(`${r}:v1`);
      expect(head).toEqual({ digest, size: manifest.length, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
      expect(await t.writer.manifests.exists(`${r}:v2`)).toBe(false);
    });

    it('resolves an index for a platform and lists the platforms when none matches', async () => {
      const r = t.repo('idx');
      const amd = await pushImage(t.writer, r, 'amd', 'amd64');
      const arm = await pushImage(t.writer, r, 'arm', 'arm64');
      const index = {
        schemaVersion: 2 as const,
        mediaType: 'application/vnd.oci.image.index.v1+json' as const,
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: amd.digest, size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: arm.digest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      };
      const indexDigest = await t.writer.manifests.put(`${r}:multi`, index);
      const top = await t.writer.manifests.get(`${r}:multi`);
      expect(top.kind).toBe('index');
      expect(top.digest).toBe(indexDigest);
      expect((await t.writer.manifests.getForPlatform(`${r}:multi`, 'linux/arm64')).digest).toBe(arm.digest);
      expect((await t.writer.manifests.getForPlatform(`${r}:multi`, 'linux/amd64')).digest).toBe(amd.digest);
      const err = await t.writer.manifests.getForPlatform(`${r}:multi`, 'linux/s390x').catch((e: unknown) => e);
      expect(CODES_OF(err)).toBe('PLATFORM_NOT_FOUND');
      expect((err as { available: string[] }).available).toEqual(['linux/amd64', 'linux/arm64/v8']);
      // A single-platform manifest is checked against its config.
      expect(CODES_OF(await t.writer.manifests.getForPlatform(`${r}:amd`, 'linux/arm64').catch((e: unknown) => e))).toBe('PLATFORM_NOT_FOUND');
    });

    it('answers registry error codes for unknown manifests and missing blobs', async () => {
      const r = t.repo('err');
      await pushImage(t.writer, r, 'v1');
      expect(await codeOf(t.writer.manifests.get(`${r}:nope`))).toBe('MANIFEST_UNKNOWN');
      expect(await codeOf(t.writer.manifests.head(`${r}:nope`))).toBe('MANIFEST_UNKNOWN');
      const missing = `sha256:${'0'.repeat(64)}`;
      const bad = {
        schemaVersion: 2 as const,
        mediaType: 'application/vnd.oci.image.manifest.v1+json' as const,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: missing, size: 2 },
        layers: [],
      };
      expect(await codeOf(t.writer.manifests.put(`${r}:bad`, bad))).toBe('MANIFEST_BLOB_UNKNOWN');
      expect(await codeOf(t.writer.manifests.get(`${r}@sha256:${'1'.repeat(64)}`))).toBe('MANIFEST_UNKNOWN');
    });

    it('deletes by tag (resolving the digest first) and the tag is gone', async () => {
      const r = t.repo('del');
      const { digest } = await pushImage(t.writer, r, 'v1');
      expect(await t.writer.manifests.delete(`${r}:v1`)).toBe(digest);
      expect(await codeOf(t.writer.manifests.get(`${r}:v1`))).toBe('MANIFEST_UNKNOWN');
      expect(await codeOf(t.writer.manifests.delete(`${r}@${digest}`))).toBe('MANIFEST_UNKNOWN');
    });
  });
}

/** The tags part of the contract. */
function tagsContract(t: ContractScope): void {
  describe('tags', () => {
    it('lists every tag, following pagination when the registry pages', async () => {
      const r = t.repo('tags');
      const { manifest } = await pushImage(t.writer, r, 't0');
      const want = ['t0'];
      for (let i = 1; i < 7; i++) {
        await t.writer.manifests.put(`${r}:t${i}`, manifest);
        want.push(`t${i}`);
      }
      expect((await t.writer.tags.list(r)).sort()).toEqual(want);
      const pages: string[][] = [];
      for await (const page of t.writer.tags.pages(r, { pageSize: 3 })) pages.push(page);
      expect(pages.flat().sort()).toEqual(want);
      // distribution 2.8 ignores n and sends everything at once; a paging registry sends 3, 3, 1.
      expect(pages.map((p) => p.length)).toEqual(t.backend.quirks.tagPagination ? [3, 3, 1] : [7]);
    });

    it('fails with NAME_UNKNOWN for an unknown repository', async () => {
      expect(await codeOf(t.writer.tags.list(t.repo('none')))).toBe('NAME_UNKNOWN');
    });

    it('deletes a tag by its manifest digest, which removes every tag on that digest', async () => {
      const r = t.repo('tagdel');
      const { manifest, digest } = await pushImage(t.writer, r, 'a');
      await t.writer.manifests.put(`${r}:b`, manifest);
      const other = await pushImage(t.writer, r, 'c');
      expect(await t.writer.tags.delete(`${r}:a`)).toEqual({ via: 'registry', digest });
      expect((await t.writer.tags.list(r)).sort()).toEqual(['c']);
      await t.writer.manifests.delete(`${r}@${other.digest}`);
      expect(await t.writer.tags.list(r)).toEqual([]);
    });
  });
}

/** The blobs part of the contract. */
function blobsContract(t: ContractScope): void {
  describe('blobs', () => {
    it('uploads monolithically, reports existence and streams verified bytes back', async () => {
      const r = t.repo('b');
      const bytes = randomBytes(4000);
      const digest = await t.writer.blobs.upload(r, bytes);
      expect(digest).toBe(sha256(bytes));
      expect(await t.writer.blobs.exists(r, digest)).toBe(true);
      expect(await t.writer.blobs.size(r, digest)).toBe(4000);
      expect((await drain(t.writer.blobs.get(r, digest))).equals(bytes)).toBe(true);
      expect(await t.writer.blobs.exists(r, `sha256:${'2'.repeat(64)}`)).toBe(false);
      expect(await codeOf(drain(t.writer.blobs.get(r, `sha256:${'2'.repeat(64)}`)))).toBe('BLOB_UNKNOWN');
      // Uploading it again is a no-op: the digest is known and the blob exists.
      expect(await t.writer.blobs.upload(r, bytes, { digest })).toBe(digest);
      expect(await codeOf(t.writer.blobs.upload(r, randomBytes(10), { digest: `sha256:${'3'.repeat(64)}` }))).toBe('DIGEST_MISMATCH');
    });

    it('uploads a zero-length blob', async () => {
      const r = t.repo('empty');
      const digest = await t.writer.blobs.upload(r, new Uint8Array(0));
      expect(digest).toBe(sha256(new Uint8Array(0)));
      expect(await t.writer.blobs.size(r, digest)).toBe(0);
    });

    it('uploads in chunks with progress, from a one-shot stream', async () => {
      const r = t.repo('chunk');
      const bytes = randomBytes(300 * 1024 + 17);
      const progress: number[] = [];
      const { Readable } = await import('node:stream');
      const digest = await t.writer.blobs.uploadChunked(r, Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]), {
        chunkSize: 64 * 1024,
        onProgress: (p) => progress.push(p.bytesSent),
      });
      expect(digest).toBe(sha256(bytes));
      expect(progress).toEqual([65536, 131072, 196608, 262144, 307217]);
      expect((await drain(t.writer.blobs.get(r, digest))).equals(bytes)).toBe(true);
      // upload() picks chunked for content over the chunk size.
      const big = randomBytes(150 * 1024);
      expect(await t.writer.blobs.upload(r, big, { chunkSize: 64 * 1024 })).toBe(sha256(big));
    });

    it('resumes a saved upload session from another client, given the same source', async () => {
      const r = t.repo('resume');
      const bytes = randomBytes(256 * 1024);
      const abort = new AbortController();
      let saved: UploadSession | undefined;
      const first = t.writer.blobs.uploadChunked(r, bytes, {
        chunkSize: 64 * 1024,
        signal: abort.signal,
        onSession: (s) => {
          saved = s;
          if (s.offset >= 128 * 1024) abort.abort();
        },
      });
      expect(await codeOf(first)).toBe('ABORTED');
      expect(saved?.offset).toBe(128 * 1024);
      const session = JSON.parse(JSON.stringify(saved)) as UploadSession;
      const other = t.backend.client('writer');
      try {
        const sent: number[] = [];
        const digest = await other.blobs.uploadChunked(r, () => (async function* () { yield bytes; })(), {
          chunkSize: 64 * 1024,
          resume: session,
          onProgress: (p) => sent.push(p.bytesSent),
        });
        expect(digest).toBe(sha256(bytes));
        // Only the missing half was sent.
        expect(sent).toEqual([196608, 262144]);
        expect((await drain(other.blobs.get(r, digest))).equals(bytes)).toBe(true);
      } finally {
        await other.close();
      }
    });

    it('mounts a blob from another repository and never uploads an existing blob', async () => {
      const a = t.repo('ma');
      const b = t.repo('mb');
      const bytes = randomBytes(2048);
      const digest = await t.writer.blobs.upload(a, bytes);
      const fromRepo = a.slice(t.backend.registry.length + 1);
      expect(await t.writer.blobs.mount(b, digest, fromRepo)).toBe('mounted');
      expect(await t.writer.blobs.exists(b, digest)).toBe(true);
      expect(await t.writer.blobs.mount(b, digest, fromRepo)).toBe('exists');
      // The source lacks the blob: the registry answers 202 and the fallback upload finds nothing.
      expect(await codeOf(t.writer.blobs.mount(t.repo('mc'), `sha256:${'4'.repeat(64)}`, fromRepo))).toBe('BLOB_UNKNOWN');
    });
  });
}

/** The auth part of the contract. */
function authContract(t: ContractScope): void {
  describe('auth', () => {
    it('refuses wrong passwords and anonymous pushes (and anonymous pulls where the t.backend does) with UNAUTHORIZED', async () => {
      const r = t.repo('auth');
      await pushImage(t.writer, r, 'v1');
      for (const role of ['anonymous', 'wrong-password'] as const) {
        const c = t.backend.client(role);
        try {
          const want = role === 'anonymous' && t.backend.quirks.anonymousPull ? 'NO_ERROR' : 'UNAUTHORIZED';
          expect(await codeOf(c.manifests.get(`${r}:v1`))).toBe(want);
          if (role === 'anonymous') expect(await codeOf(c.blobs.upload(r, randomBytes(8)))).toBe('UNAUTHORIZED');
        } finally {
          await c.close();
        }
      }
    });

    it('lets a reader pull and refuses its pushes as the t.backend does', async () => {
      const r = t.repo('reader');
      const { digest } = await pushImage(t.writer, r, 'v1');
      const reader = t.backend.client('reader');
      try {
        expect((await reader.manifests.get(`${r}:v1`)).digest).toBe(digest);
        const push = await codeOf(reader.blobs.upload(r, randomBytes(10)));
        expect(push).toBe(t.backend.quirks.readerPushCode ?? 'NO_ERROR');
      } finally {
        await reader.close();
      }
    });
  });
}

/**
 * Defines the contract tests for one backend.
 * @param name - the backend's name in test titles
 * @param makeBackend - starts the backend (called once, in beforeAll)
 */
export function defineRegistryContract(name: string, makeBackend: () => Promise<RegistryBackend>): void {
  describe(`registry contract: ${name}`, () => {
    let backend: RegistryBackend | undefined;
    let writer: DockerHubClient | undefined;
    const started = <T>(value: T | undefined): T => {
      if (value === undefined) throw new Error('the contract backend has not started');
      return value;
    };
    const scope: ContractScope = {
      get backend() {
        return started(backend);
      },
      get writer() {
        return started(writer);
      },
      repo: (what) => `${scope.backend.registry}/${scope.backend.repositoryPrefix}/${what}-${randomBytes(4).toString('hex')}`,
    };

    beforeAll(async () => {
      backend = await makeBackend();
      writer = backend.client('writer');
    });
    afterAll(async () => {
      await writer?.close();
      await backend?.close();
    });

    manifestsContract(scope);
    tagsContract(scope);
    blobsContract(scope);
    authContract(scope);
  });
}
