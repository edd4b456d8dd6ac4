// A directory-backed simulator restarted mid-test still serves what was pushed (issue 6).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../src/index.js';
import { ACCEPT_ALL, makeClient, pushImage, sha256 } from './helpers.js';
import { writeMultiArchLayout } from './oci-layout.js';

const run = promisify(execFile);

describe('directory storage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-dir-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart: manifests, tags, blobs and an open upload session', async () => {
    const first = createSimulator({ storage: { directory: join(dir, 'a') } });
    const server = await first.listen();
    const c = makeClient(server.url);
    const img = await pushImage(c, 'keep/me', 'v1', 'persist');
    const start = await c.call('POST', '/v2/keep/me/blobs/uploads/');
    const loc = start.headers['location']!;
    await c.call('PATCH', loc, {
      body: 'half',
      headers: { 'content-type': 'application/octet-stream' },
    });
    await first.close();

    const second = createSimulator({ storage: { directory: join(dir, 'a') } });
    const c2 = makeClient((await second.listen()).url);
    const got = await c2.call('GET', '/v2/keep/me/manifests/v1', {
      headers: { accept: ACCEPT_ALL },
    });
    expect(got.status).toBe(200);
    expect(got.body.toString()).toBe(img.manifest);
    expect((await c2.call('GET', `/v2/keep/me/blobs/${img.layer}`)).body.toString()).toBe(
      'layer-persist',
    );
    expect((await c2.call('GET', '/v2/keep/me/tags/list')).json().tags).toEqual(['v1']);
    const path = new URL(loc).pathname;
    const status = await c2.call('GET', path);
    expect(status.status).toBe(204);
    expect(status.headers['range']).toBe('0-3');
    await second.close();
    expect(await readdir(join(dir, 'a', 'tmp'))).toEqual([]);
  });

  it('streams a large chunked upload to disk and verifies it', async () => {
    const sim = createSimulator({ storage: { directory: join(dir, 'b') } });
    const c = makeClient((await sim.listen()).url);
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const total = Buffer.concat(Array.from({ length: 8 }, () => chunk));
    async function* body() {
      for (let i = 0; i < 8; i++) yield chunk;
    }
    const start = await c.call('POST', '/v2/big/blob/blobs/uploads/');
    const patch = await c.call('PATCH', start.headers['location']!, {
      body: body(),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(patch.headers['range']).toBe(`0-${total.length - 1}`);
    const put = new URL(patch.headers['location']!);
    put.searchParams.set('digest', sha256(total));
    expect((await c.call('PUT', put.toString())).status).toBe(201);
    const range = await c.call('GET', `/v2/big/blob/blobs/${sha256(total)}`, {
      headers: { range: 'bytes=8388600-' },
    });
    expect(range.status).toBe(206);
    expect(range.body.length).toBe(8);
    await sim.close();
  });

  it('serves skopeo after a restart', async () => {
    const layout = await writeMultiArchLayout(join(dir, 'layout'), 'v1');
    const first = createSimulator({ storage: { directory: join(dir, 'c') } });
    const host1 = new URL((await first.listen()).url).host;
    await run(
      'skopeo',
      [
        'copy',
        '--all',
        '--dest-tls-verify=false',
        `oci:${layout.dir}:v1`,
        `docker://${host1}/p/img:v1`,
      ],
      { timeout: 60_000 },
    );
    await first.close();
    const second = createSimulator({ storage: { directory: join(dir, 'c') } });
    const host2 = new URL((await second.listen()).url).host;
    const { stdout } = await run(
      'skopeo',
      ['inspect', '--raw', '--tls-verify=false', `docker://${host2}/p/img:v1`],
      { timeout: 60_000 },
    );
    expect(sha256(stdout)).toBe(layout.indexDigest);
    await second.close();
  });
});
