// dhub export and dhub import against the real registry (no auth), in-process: files and
// stdin/stdout, usage errors, a refused archive, and a failed export leaving no file.
import { createReadStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { COMMANDS } from '../src/commands/index.js';
import type { CliIo } from '../src/io.js';
import { runCli } from '../src/main.js';
import { cleanEnv, writeTestLayout } from './helpers.js';

let reg: RealRegistry;
let env: NodeJS.ProcessEnv;
let work: string;
let top: string;

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs dhub in-process with binary stdin and stdout. */
async function dhub(args: string[], stdin?: Readable): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const empty = new PassThrough();
  empty.end();
  const io: CliIo = { stdout, stderr, stdin: stdin ?? empty, env, stderrIsTTY: false, signal: new AbortController().signal, cwd: work };
  const code = await runCli(args, io, COMMANDS);
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'none' });
  env = await cleanEnv();
  work = await mkdtemp(join(tmpdir(), 'dhub-archives-'));
  await writeTestLayout(join(work, 'layout'), 'v1', 'archives');
  const client = new DockerHubClient({}, { env });
  try {
    top = (await client.images.push(join(work, 'layout'), `${reg.host}/cli/app:v1`)).digest;
  } finally {
    await client.close();
  }
});

afterAll(async () => {
  await reg.stop();
  await rm(work, { recursive: true, force: true });
});

describe('dhub export and import', () => {
  it('exports an oci-archive to a file and imports it back with the same digest', async () => {
    const exported = await dhub(['export', `${reg.host}/cli/app:v1`, 'app.oci.tar', '--format', 'oci-archive', '--all-platforms', '--json']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout.toString('utf8'))).toMatchObject({ format: 'oci-archive', digest: top, manifests: 3, file: join(work, 'app.oci.tar') });
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const imported = await dhub(['import', 'app.oci.tar', `${reg.host}/cli/back:v1`, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout.toString('utf8'))).toMatchObject({ format: 'oci-archive', digest: top, manifests: 3 });
  });

  it('exports a docker-archive to stdout and imports it from stdin', async () => {
    const exported = await dhub(['export', `${reg.host}/cli/app:v1`, '-', '--platform', 'linux/arm64']);
    expect(exported.code).toBe(0);
    // A tar: ustar magic in the first header, and the docker-archive index inside.
    expect(exported.stdout.toString('ascii', 257, 262)).toBe('ustar');
    expect(exported.stdout.includes(Buffer.from('manifest.json'))).toBe(true);
    writeFileSync(join(work, 'arm.tar'), exported.stdout);
    const imported = await dhub(['import', '-', `${reg.host}/cli/arm:a1`], createReadStream(join(work, 'arm.tar')));
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout.toString('utf8')).toMatch(/^sha256:[a-f0-9]{64}\n$/);
  });

  it('refuses bad usage with exit 2', async () => {
    const ref = `${reg.host}/cli/app:v1`;
    for (const args of [
      ['export', ref, 'x.tar', '--format', 'zip'],
      ['export', ref, 'x.tar', '--all-platforms'],
      ['export', ref, 'x.tar', '--platform', 'linux/amd64', '--platform', 'linux/arm64'],
      ['import', 'x.tar', ref, '--max-entries', '0'],
      ['import', 'x.tar', ref, '--max-size', 'lots'],
      ['export', ref, 'no-such-dir/x.tar'],
    ]) {
      const run = await dhub(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
    }
    expect(existsSync(join(work, 'x.tar'))).toBe(false);
    const missing = await dhub(['import', 'no-such.tar', ref]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`INVALID_ARGUMENT: archive ${join(work, 'no-such.tar')} does not exist`);
  });

  it('refuses a hostile archive with a message naming the entry, pushing nothing', async () => {
    const good = await readFile(join(work, 'arm.tar'));
    // An extra entry "../escape" in front of a valid archive.
    const header = Buffer.alloc(512);
    header.write('../escape', 0, 'ascii');
    header.write('0000644\0', 100, 'ascii');
    header.write('00000000000\0', 124, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\x0000', 257, 'ascii');
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    writeFileSync(join(work, 'evil.tar'), Buffer.concat([header, good]));
    const run = await dhub(['import', 'evil.tar', `${reg.host}/cli/evil:e1`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('INVALID_ARGUMENT: image archive refused (parent-path): entry ../escape has a ".." segment');
    const tags = await fetch(`${reg.url}/v2/cli/evil/tags/list`);
    expect(tags.status).toBe(404);
  });

  it('a failed export leaves no file behind', async () => {
    const run = await dhub(['export', `${reg.host}/cli/app:missing`, 'missing.tar']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('MANIFEST_UNKNOWN');
    expect(readdirSync(work).filter((n) => n.startsWith('missing.tar'))).toEqual([]);
  });
});
