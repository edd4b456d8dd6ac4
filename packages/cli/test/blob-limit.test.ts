// `dhub blob` as a subprocess against a registry whose blob body never ends: the spool is capped
// by --max-size (or --size), the error names the limit, and no temporary file is left behind.
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runBin, runInProcess } from './helpers.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
/** The endless body stops here anyway, so a missing cap cannot fill the disk. */
const SAFETY_STOP = 64 * 2 ** 20;

describe('dhub blob caps what it spools', () => {
  let server: Server;
  let host: string;
  let work: string;
  let spoolDir: string;
  let env: NodeJS.ProcessEnv;
  const sent: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (!req.url?.includes('/blobs/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let total = 0;
      const pump = (): void => {
        while (total < SAFETY_STOP) {
          total += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => sent.push(total));
      pump();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = await mkdtemp(join(tmpdir(), 'dhub-blob-cap-'));
    spoolDir = join(work, 'tmp');
    await mkdir(spoolDir);
    // dhub keeps its code cache in the OS temp directory unless NODE_COMPILE_CACHE says otherwise: keep
    // it out of the directory whose emptiness the tests check.
    env = await cleanEnv({ TMPDIR: spoolDir, NODE_COMPILE_CACHE: join(work, 'compile-cache') });
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await rm(work, { recursive: true, force: true });
  });

  it('stops an endless body at --max-size with PAYLOAD_TOO_LARGE naming the limit, and leaves no temporary file', async () => {
    const r = await runBin(['blob', `${host}/team/app@${DIGEST}`, '--max-size', '1MiB'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^PAYLOAD_TOO_LARGE: blob sha256:a.* \(--max-size\) exceeds the limit of 1048576 bytes\n$/);
    expect(r.stdout).toBe('');
    expect(await readdir(spoolDir)).toEqual([]);
    expect(sent.at(-1)).toBeLessThan(SAFETY_STOP);
  });

  it('with --size (the descriptor size), stops as soon as the body passes it', async () => {
    const r = await runBin(['blob', `${host}/team/app@${DIGEST}`, '--size', '100000'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^SIZE_MISMATCH: .*100000/);
    expect(await readdir(spoolDir)).toEqual([]);
    expect(sent.at(-1)).toBeLessThan(SAFETY_STOP);
  });

  it('refuses a --size over --max-size before downloading, and bad sizes as usage errors', async () => {
    const before = sent.length;
    const over = await runInProcess(
      ['blob', `${host}/team/app@${DIGEST}`, '--size', '5GiB'],
      { env },
    );
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('exceeds the limit of 4294967296 bytes');
    expect(sent.length).toBe(before);
    const bad = await runInProcess(['blob', `${host}/team/app@${DIGEST}`, '--max-size', 'lots'], {
      env,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-size must be a byte count such as 1048576, 512MiB or 4GiB, got 'lots'");
    const help = await runInProcess(['blob', '--help'], { env });
    expect(help.stdout).toContain('default 4GiB');
  });
});
