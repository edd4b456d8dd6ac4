// dhub and forward proxies: every command honours HTTP_PROXY / HTTPS_PROXY from its environment
// (through a real tinyproxy, CONNECT tunnels), and `--no-proxy` turns that off before or after
// the command's own arguments.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTinyproxy, type Tinyproxy } from '../../../tooling/proxy/tinyproxy.js';
import { cleanEnv, runInProcess, startBackground, writeTestLayout, type Background } from './helpers.js';

let server: Background;
let proxy: Tinyproxy;
let work: string;

beforeAll(async () => {
  server = await startBackground(['serve', '--auth', 'none'], await cleanEnv());
  proxy = await startTinyproxy();
  work = await mkdtemp(join(tmpdir(), 'dhub-proxy-'));
  const layout = join(work, 'layout');
  await writeTestLayout(layout, 'v1');
  const pushed = await runInProcess(['push', '-q', layout, `${server.host}/team/app:v1`], { env: await cleanEnv() });
  expect(pushed.stderr).toBe('');
});
afterAll(async () => {
  await proxy.stop();
  await server.stop('SIGINT');
  await rm(work, { recursive: true, force: true });
});

describe('dhub behind a forward proxy', () => {
  it('sends a command through HTTP_PROXY with a CONNECT to the registry', async () => {
    const before = proxy.connects().length;
    const res = await runInProcess(['tags', `${server.host}/team/app`], { env: await cleanEnv({ HTTP_PROXY: proxy.url }) });
    expect(res).toMatchObject({ code: 0, stdout: 'v1\n' });
    expect(proxy.connects().slice(before)).toContain(server.host);
  });

  it('--no-proxy goes direct, after or before the arguments, where a dead proxy would fail', async () => {
    const env = await cleanEnv({ HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' });
    const viaDead = await runInProcess(['tags', `${server.host}/team/app`], { env });
    expect(viaDead.code).toBe(1);
    expect(await runInProcess(['tags', `${server.host}/team/app`, '--no-proxy'], { env })).toMatchObject({ code: 0, stdout: 'v1\n' });
    expect(await runInProcess(['tags', '--no-proxy', `${server.host}/team/app`], { env })).toMatchObject({ code: 0, stdout: 'v1\n' });
  });

  it('global options go before the command name too', async () => {
    const env = await cleanEnv({ HTTP_PROXY: 'http://127.0.0.1:9' });
    expect(await runInProcess(['--no-proxy', 'tags', `${server.host}/team/app`], { env })).toMatchObject({ code: 0, stdout: 'v1\n' });
    const json = await runInProcess(['--no-proxy', '--json', 'tags', `${server.host}/team/app`], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ tags: ['v1'] });
  });
});
