// An unchanged re-run of `dhub copy --all-tags` and of `dhub sync FILE.yaml`, counted at the
// registries: two real distribution registries (token auth), each behind a recording proxy that
// sees every request and the status answered. A re-run sends one manifest HEAD per tag at each
// side, the source's tag list, and the token handshake (the first request to each registry,
// answered 401 with the challenge, then one token request per registry): nothing else.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { cleanEnv, runInProcess } from './helpers.js';
import { seedRepository } from './repo-seed.js';

const TAGS = ['1.0.0', '1.1.0', '1.2.0', '2.0.0', '2.1.0', 'latest'];

/** A request as the registry answered it. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** A loopback proxy forwarding to `upstream` unchanged and recording every answered request. */
interface Recorder {
  readonly host: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

async function startRecorder(upstream: string): Promise<Recorder> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', status: answer.statusCode ?? 0 });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', (err) => res.destroy(err));
    req.pipe(up);
  });
  await new Promise<void>((done) => {
    server.listen(0, '127.0.0.1', done);
  });
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((done) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => {
          done();
        });
      }),
  };
}

let a: RealRegistry;
let b: RealRegistry;
let pa: Recorder;
let pb: Recorder;
let env: NodeJS.ProcessEnv;
let work: string;

beforeAll(async () => {
  [a, b] = await Promise.all([startRealRegistry({ auth: 'token' }), startRealRegistry({ auth: 'token' })]);
  [pa, pb] = await Promise.all([startRecorder(a.url), startRecorder(b.url)]);
  work = await mkdtemp(join(tmpdir(), 'dhub-rerun-'));
  env = await cleanEnv();
  const dir = env['DOCKER_CONFIG'] ?? '';
  await mkdir(dir, { recursive: true });
  const auth = (reg: RealRegistry): { auth: string } => {
    const u = reg.users.find((x) => x.name !== 'reader');
    return { auth: Buffer.from(`${u?.name ?? ''}:${u?.password ?? ''}`).toString('base64') };
  };
  // The proxies' hosts carry their registry's credentials, as a mirror's host would.
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [a.host]: auth(a), [b.host]: auth(b), [pa.host]: auth(a), [pb.host]: auth(b) } }));
  const seeder = new DockerHubClient({}, { env: { DOCKER_CONFIG: dir } });
  await seedRepository(seeder, `${a.host}/src/app`, TAGS, ['amd64', 'arm64']);
  await seeder.close();
}, 120_000);

afterAll(async () => {
  await Promise.all([pa.close(), pb.close()]);
  await Promise.all([a.stop(), b.stop()]);
  await rm(work, { recursive: true, force: true });
});

const dhub = (args: string[]) => runInProcess(args, { env, cwd: work });

/** Runs `fn` and returns what each registry and its token service saw meanwhile. */
async function counted(fn: () => Promise<unknown>): Promise<{ source: Seen[]; target: Seen[]; tokens: [number, number] }> {
  const [s, t, ta, tb] = [pa.seen.length, pb.seen.length, a.tokenRequests.length, b.tokenRequests.length];
  await fn();
  return { source: pa.seen.slice(s), target: pb.seen.slice(t), tokens: [a.tokenRequests.length - ta, b.tokenRequests.length - tb] };
}

const line = (x: Seen): string => `${x.method} ${x.path} ${x.status}`;
const heads = (repo: string): string[] => TAGS.map((t) => `HEAD /v2/${repo}/manifests/${t} 200`).sort();

/** One side's requests: the challenged first request, then `expected` (any order), nothing else. */
function expectSide(seen: readonly Seen[], expected: readonly string[]): void {
  const [challenge, ...rest] = seen;
  // The first request to a registry this process has not met is answered 401 with the challenge.
  expect(challenge?.status).toBe(401);
  expect(rest.map(line).sort()).toEqual([...expected].sort());
  // The challenged request is one of the expected ones, sent again with the token.
  expect(expected).toContain(`${challenge?.method ?? ''} ${challenge?.path ?? ''} 200`);
}

describe('an unchanged re-run, counted at the registries', () => {
  it('dhub copy --all-tags: one manifest HEAD per tag per side, the tag list, the token handshake; nothing else', async () => {
    const first = await dhub(['copy', `${pa.host}/src/app`, `${pb.host}/mirror/app`, '--all-tags']);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe(`${TAGS.length} copied, 0 unchanged, 0 failed`);

    const seen = await counted(async () => {
      const again = await dhub(['copy', `${pa.host}/src/app`, `${pb.host}/mirror/app`, '--all-tags']);
      expect(again).toMatchObject({ code: 0 });
      expect(again.stdout.trimEnd().split('\n').at(-1)).toBe(`0 copied, ${TAGS.length} unchanged, 0 failed`);
    });
    expectSide(seen.source, ['GET /v2/src/app/tags/list 200', ...heads('src/app')]);
    expectSide(seen.target, heads('mirror/app'));
    // One token per registry (pull on the source repository, pull on the target's).
    expect(seen.tokens).toEqual([1, 1]);
  });

  it('dhub sync FILE.yaml: the same requests', async () => {
    await writeFile(join(work, 'sync.yaml'), `syncs:\n  - source: ${pa.host}/src/app\n    target: ${pb.host}/mirror/app\n`);
    const seen = await counted(async () => {
      const again = await dhub(['sync', 'sync.yaml']);
      expect(again).toMatchObject({ code: 0 });
      expect(again.stdout.trimEnd().split('\n').at(-1)).toMatch(/^0 copied, 6 unchanged, 0 failed/);
    });
    expectSide(seen.source, ['GET /v2/src/app/tags/list 200', ...heads('src/app')]);
    expectSide(seen.target, heads('mirror/app'));
    expect(seen.tokens).toEqual([1, 1]);
  });
});
