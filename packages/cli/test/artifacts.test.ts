// Artifacts and referrers end to end, against the real CNCF distribution registry (no referrers
// API: the sha256-<hex> fallback tag) and the simulator's oci profile (the referrers API):
// attach an SBOM and a signature-like artifact to a multi-arch image, list them (--json, --tree),
// pull one back byte-identical, edit indexes; skopeo inspect --raw agrees on every digest; bad
// input gets clear errors and writes nothing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runInProcess, startInProcess, writeTestLayout, type RunResult } from './helpers.js';

const run = promisify(execFile);
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const SBOM_TYPE = 'application/spdx+json';
const SIG_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

let registry: RealRegistry;
let sim: Awaited<ReturnType<typeof startInProcess>>;
let env: NodeJS.ProcessEnv;
let work: string;
let image: GeneratedImage;
const sbom = Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'app', packages: [{ name: 'musl', versionInfo: '1.2.4' }] }));
const sig = Buffer.from(JSON.stringify({ critical: { type: 'cosign container image signature' }, optional: null }));

/** The artifacts attached on each registry, by how it finds them. */
const attached: Record<string, Record<string, string>> = {};

const dhub = (args: string[]): Promise<RunResult> => runInProcess(args, { env, cwd: work });
async function ok(args: string[]): Promise<string> {
  const r = await dhub(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}
const skopeoRaw = async (ref: string): Promise<Buffer> =>
  Buffer.from((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], { env, timeout: 60_000, encoding: 'buffer' })).stdout);

beforeAll(async () => {
  env = await cleanEnv();
  work = await mkdtemp(join(tmpdir(), 'dhub-artifacts-'));
  image = await writeTestLayout(join(work, 'layout'), 'v1', 'artifacts');
  await writeFile(join(work, 'sbom.spdx.json'), sbom);
  await writeFile(join(work, 'image.sig'), sig);
  registry = await startRealRegistry({ auth: 'none' });
  sim = await startInProcess(['serve', '--auth', 'none'], env, 'stdout');
});
afterAll(async () => {
  await sim.stop();
  await registry.stop();
  await rm(work, { recursive: true, force: true });
});

describe.each([
  ['the real registry (fallback tag)', 'referrers-tag', () => registry.host],
  ['the simulator (referrers API)', 'referrers', () => sim.host],
] as const)('artifacts on %s', (_name, via, host) => {
  let repo: string;
  const ids: Record<string, string> = {};
  attached[via] = ids;

  beforeAll(async () => {
    repo = `${host()}/team/app`;
    expect(await ok(['push', 'layout', `${repo}:v1`])).toBe(`${image.index.digest}\n`);
  });

  it('attaches an SBOM and a signature to the multi-arch image, and a signature to the SBOM', async () => {
    const a = JSON.parse(await ok(['attach', `${repo}:v1`, '--artifact-type', SBOM_TYPE, 'sbom.spdx.json', '--json'])) as { digest: string; subject: string; via: string };
    expect(a).toMatchObject({ subject: image.index.digest, via });
    ids['sbom'] = a.digest;
    const s = JSON.parse(await ok(['attach', `${repo}:v1`, '--artifact-type', SIG_TYPE, '--annotation', 'dev.cosignproject.cosign/signature=MEUCIQ', 'image.sig', '--json'])) as { digest: string };
    ids['sig'] = s.digest;
    ids['sbomSig'] = (await ok(['attach', `${repo}@${a.digest}`, '--artifact-type', SIG_TYPE, 'image.sig'])).trim();
  });

  it('lists them with --json and --tree (the signature of the SBOM under the SBOM)', async () => {
    const list = JSON.parse(await ok(['referrers', `${repo}:v1`, '--json'])) as { subject: string; via: string; referrers: { digest: string; artifactType: string }[] };
    expect(list.subject).toBe(image.index.digest);
    expect(list.via).toBe(via);
    expect(list.referrers.map((d) => [d.digest, d.artifactType]).sort()).toEqual([[ids['sbom'], SBOM_TYPE], [ids['sig'], SIG_TYPE]].sort());
    const onlySigs = JSON.parse(await ok(['referrers', `${repo}:v1`, '--artifact-type', SIG_TYPE, '--json'])) as { referrers: { digest: string }[] };
    expect(onlySigs.referrers.map((d) => d.digest)).toEqual([ids['sig']]);
    const tree = JSON.parse(await ok(['referrers', `${repo}:v1`, '--tree', '--json'])) as { referrers: { descriptor: { digest: string }; referrers: { descriptor: { digest: string } }[] }[] };
    const sbomNode = tree.referrers.find((n) => n.descriptor.digest === ids['sbom']);
    expect(sbomNode?.referrers.map((n) => n.descriptor.digest)).toEqual([ids['sbomSig']]);
    const text = await ok(['referrers', `${repo}:v1`, '--tree']);
    expect(text).toContain(`\n    ${ids['sbomSig'] ?? 'missing'}  ${SIG_TYPE}\n`);
  });

  it('pulls the SBOM back byte-identical', async () => {
    const out = join(work, `pulled-${via}`);
    const lines = await ok(['artifact', 'pull', `${repo}@${ids['sbom'] ?? ''}`, out]);
    expect(lines).toBe(`${sha(sbom)}  ${sbom.length}  sbom.spdx.json\n`);
    expect((await readFile(join(out, 'sbom.spdx.json'))).equals(sbom)).toBe(true);
    expect(await readdir(out)).toEqual(['sbom.spdx.json']);
  });

  it('skopeo inspect --raw agrees on every digest (image, children, artifacts)', async () => {
    for (const d of [image.index.digest, ...image.manifests.map((m) => m.digest), ids['sbom'], ids['sig'], ids['sbomSig']]) {
      expect(sha(await skopeoRaw(`${repo}@${d ?? ''}`))).toBe(d);
    }
    const artifact = JSON.parse((await skopeoRaw(`${repo}@${ids['sbom'] ?? ''}`)).toString('utf8')) as { artifactType: string; subject: { digest: string } };
    expect(artifact).toMatchObject({ artifactType: SBOM_TYPE, subject: { digest: image.index.digest } });
    if (via === 'referrers-tag') {
      // The fallback index under sha256-<hex> lists both referrers.
      const fallback = JSON.parse((await skopeoRaw(`${repo}:${image.index.digest.replace(':', '-')}`)).toString('utf8')) as { manifests: { digest: string }[] };
      expect(fallback.manifests.map((d) => d.digest).sort()).toEqual([ids['sbom'], ids['sig']].sort());
    }
  });

  it('index filter keeps the exact child digests; index create, add and remove edit without pulling layers', async () => {
    const arm = image.manifests.find((m) => m.platform.architecture === 'arm64');
    const amd = image.manifests.find((m) => m.platform.architecture === 'amd64');
    const filtered = JSON.parse(await ok(['index', 'filter', `${repo}:v1`, '--platform', 'linux/arm64', '--tag', `${host()}/team/slim:v1`, '--json'])) as { digest: string };
    const raw = await skopeoRaw(`${host()}/team/slim:v1`);
    expect(sha(raw)).toBe(filtered.digest);
    expect((JSON.parse(raw.toString('utf8')) as { manifests: { digest: string }[] }).manifests.map((d) => d.digest)).toEqual([arm?.digest]);
    expect(sha(await skopeoRaw(`${host()}/team/slim@${arm?.digest ?? ''}`))).toBe(arm?.digest);

    const created = (await ok(['index', 'create', `${repo}:pair`, `${repo}@${amd?.digest ?? ''}`, `${repo}@${arm?.digest ?? ''}`])).trim();
    const pair = JSON.parse((await skopeoRaw(`${repo}:pair`)).toString('utf8')) as { manifests: { digest: string; platform: { architecture: string } }[] };
    expect(sha(await skopeoRaw(`${repo}:pair`))).toBe(created);
    expect(pair.manifests.map((d) => [d.digest, d.platform.architecture])).toEqual([[amd?.digest, 'amd64'], [arm?.digest, 'arm64']]);
    await ok(['index', 'remove', `${repo}:pair`, '--platform', 'linux/amd64']);
    const removed = JSON.parse((await skopeoRaw(`${repo}:pair`)).toString('utf8')) as { manifests: { digest: string }[] };
    expect(removed.manifests.map((d) => d.digest)).toEqual([arm?.digest]);
    await ok(['index', 'add', `${repo}:pair`, `${repo}@${amd?.digest ?? ''}`]);
    const again = JSON.parse((await skopeoRaw(`${repo}:pair`)).toString('utf8')) as { manifests: { digest: string }[] };
    expect(again.manifests.map((d) => d.digest)).toEqual([arm?.digest, amd?.digest]);
  });
});

describe('copy --referrers between the registries', () => {
  interface Tree { subject: string; referrers: { descriptor: { digest: string; artifactType: string }; referrers: { descriptor: { digest: string } }[] }[] }
  const shape = (t: Tree): unknown => t.referrers.map((n) => [n.descriptor.digest, n.descriptor.artifactType, n.referrers.map((r) => r.descriptor.digest)]).sort();
  const treeOf = async (ref: string): Promise<Tree> => JSON.parse(await ok(['referrers', ref, '--tree', '--json'])) as Tree;
  const viaOf = async (ref: string): Promise<string> => (JSON.parse(await ok(['referrers', ref, '--json'])) as { via: string }).via;

  it('simulator (API) to real registry (fallback tag) and back: same digests, same tree, skopeo agrees', async () => {
    const fromSim = await treeOf(`${sim.host}/team/app:v1`);
    const out = JSON.parse(await ok(['copy', `${sim.host}/team/app:v1`, `${registry.host}/copied/app:v1`, '--referrers', '--json'])) as { digest: string; referrers: number };
    expect(out).toMatchObject({ digest: image.index.digest, referrers: 3 });
    const ids = attached['referrers'] ?? {};
    const onReal = await treeOf(`${registry.host}/copied/app:v1`);
    expect(await viaOf(`${registry.host}/copied/app:v1`)).toBe('referrers-tag');
    expect(onReal.subject).toBe(image.index.digest);
    expect(shape(onReal)).toEqual(shape(fromSim));
    for (const d of [ids['sbom'], ids['sig'], ids['sbomSig']]) expect(sha(await skopeoRaw(`${registry.host}/copied/app@${d ?? ''}`))).toBe(d);

    await ok(['copy', `${registry.host}/copied/app:v1`, `${sim.host}/back/app:v1`, '--referrers']);
    const back = await treeOf(`${sim.host}/back/app:v1`);
    expect(await viaOf(`${sim.host}/back/app:v1`)).toBe('referrers');
    expect(shape(back)).toEqual(shape(fromSim));
  });

  it('--all-tags --referrers: every copied tag brings its referrers (real registry to simulator)', async () => {
    const r = JSON.parse(await ok(['copy', `${registry.host}/team/app`, `${sim.host}/all/app`, '--all-tags', '--include', 'v1', '--referrers', '--json'])) as { copied: number };
    expect(r.copied).toBe(1);
    const there = await treeOf(`${sim.host}/all/app:v1`);
    const here = await treeOf(`${registry.host}/team/app:v1`);
    expect(await viaOf(`${sim.host}/all/app:v1`)).toBe('referrers');
    expect(shape(there)).toEqual(shape(here));
    const ids = attached['referrers-tag'] ?? {};
    expect(shape(there)).toEqual([[ids['sbom'], SBOM_TYPE, [ids['sbomSig']]], [ids['sig'], SIG_TYPE, []]].sort());
  });
});

describe('bad input: clear errors, nothing written (simulator)', () => {
  let repo: string;
  let client: DockerHubClient;
  beforeAll(async () => {
    repo = `${sim.host}/team/bad`;
    expect(await ok(['push', 'layout', `${repo}:v1`])).toBe(`${image.index.digest}\n`);
    client = new DockerHubClient({}, { env });
  });
  afterAll(async () => {
    await client.close();
  });
  const tags = async (): Promise<string> => (await dhub(['tags', repo])).stdout;

  it('an --artifact-type that is not type/subtype is a usage error (exit 2)', async () => {
    for (const args of [
      ['artifact', 'push', `${repo}:art`, '--artifact-type', 'sbom', 'sbom.spdx.json'],
      ['attach', `${repo}:v1`, '--artifact-type', 'application/spdx+json; charset=utf-8', 'sbom.spdx.json'],
    ]) {
      const r = await dhub(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('invalid --artifact-type: artifact type');
      expect(r.stderr).toContain('is not a media type of the form type/subtype');
    }
    expect(await tags()).toBe('v1\n');
    expect((await client.referrers.list(`${repo}:v1`)).referrers).toEqual([]);
  });

  it('a FILE that does not exist is a usage error naming it (exit 2)', async () => {
    for (const args of [
      ['artifact', 'push', `${repo}:art`, '--artifact-type', SBOM_TYPE, 'sbom.spdx.json', 'missing.json'],
      ['attach', `${repo}:v1`, '--artifact-type', SBOM_TYPE, 'missing.json'],
    ]) {
      const r = await dhub(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('FILE missing.json: no such file');
    }
    expect(await tags()).toBe('v1\n');
    expect(await client.blobs.exists(repo, sha(sbom))).toBe(false);
  });

  it('an artifact whose title is ../ is refused by artifact pull (exit 1), nothing written', async () => {
    const emptyDigest = await client.blobs.upload(repo, Buffer.from('{}'));
    const payload = Buffer.from('owned');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'text/plain',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 },
        layers: [{ mediaType: 'text/plain', digest: await client.blobs.upload(repo, payload), size: payload.length, annotations: { 'org.opencontainers.image.title': '../escaped.txt' } }],
      }),
    );
    await client.manifests.put(`${repo}:hostile`, manifest, { mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    const parent = join(work, 'hostile');
    await mkdir(parent);
    const r = await dhub(['artifact', 'pull', `${repo}:hostile`, join(parent, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('INVALID_ARGUMENT: artifact file title "../escaped.txt" must be a plain file name (no directories, no ..)\n');
    expect(await readdir(parent)).toEqual([]);
  });

  it('an index child that does not exist: index create and add fail naming it (exit 1), no tag written', async () => {
    const absent = `sha256:${'e'.repeat(64)}`;
    const r = await dhub(['index', 'create', `${repo}:idx`, `${repo}:v1`, `${repo}@${absent}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`MANIFEST_UNKNOWN: SRC ${repo}@${absent} does not exist\n`);
    const add = await dhub(['index', 'add', `${repo}:v1`, `${repo}@${absent}`]);
    expect(add.code).toBe(1);
    expect(add.stderr).toBe(`MANIFEST_UNKNOWN: SRC ${repo}@${absent} does not exist\n`);
    expect(await tags()).toBe('hostile\nv1\n');
    expect(await ok(['digest', `${repo}:v1`])).toBe(`${image.index.digest}\n`);
    const noPlatform = await dhub(['index', 'remove', `${repo}:v1`]);
    expect(noPlatform.code).toBe(2);
    expect(noPlatform.stderr).toContain('name at least one --platform');
  });
});
