// `dhub login` on Docker Hub also logs in to the Docker Hub API: an account with two-factor
// authentication gets its code from --otp, or from a prompt when stdin is a terminal.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';
import { runCli } from '../src/main.js';
import { cleanEnv, memoryIo, runInProcess } from './helpers.js';

const CODE = '135790';

describe('dhub login on Docker Hub with two-factor authentication', () => {
  let simulator: Simulator;
  let hub: Record<string, string>;

  beforeAll(async () => {
    simulator = createSimulator({
      profile: 'dockerhub',
      users: [{ name: 'mfa', password: 'mfa-pw', twoFactorCode: CODE }],
    });
    const url = (await simulator.listen()).url;
    hub = { DOCKER_REGISTRY_URL: url, DOCKER_AUTH_URL: url, DOCKER_HUB_URL: url };
  });
  afterAll(async () => {
    await simulator.close();
  });

  const stored = async (env: NodeJS.ProcessEnv): Promise<string> =>
    readFile(join(env['DOCKER_CONFIG'] ?? '', 'config.json'), 'utf8').catch(() => '');

  it('takes the code from --otp and stores the login', async () => {
    const env = await cleanEnv(hub);
    const r = await runInProcess(['login', '-u', 'mfa', '--password-stdin', '--otp', CODE], {
      env,
      stdin: 'mfa-pw\n',
    });
    expect(r).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' });
    expect(await stored(env)).toContain('https://index.docker.io/v1/');
  });

  it('without --otp and no terminal: fails with TWO_FACTOR_REQUIRED naming --otp, stores nothing', async () => {
    const env = await cleanEnv(hub);
    const r = await runInProcess(['login', '-u', 'mfa', '--password-stdin'], {
      env,
      stdin: 'mfa-pw\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^TWO_FACTOR_REQUIRED: .*--otp CODE/);
    expect(await stored(env)).toBe('');
  });

  it('refuses a wrong code with TWO_FACTOR_REQUIRED', async () => {
    const env = await cleanEnv(hub);
    const r = await runInProcess(['login', '-u', 'mfa', '--password-stdin', '--otp', '000000'], {
      env,
      stdin: 'mfa-pw\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^TWO_FACTOR_REQUIRED: .*one-time code was refused/);
    expect(r.stderr).not.toContain('mfa-pw');
  });

  it('asks for the code on stderr and reads it from stdin when stdin is a terminal', async () => {
    const env = await cleanEnv({
      ...hub,
      DOCKER_HUB_USERNAME: 'mfa',
      DOCKER_HUB_PASSWORD: 'mfa-pw',
    });
    const mem = memoryIo({ env });
    const terminal = Object.assign(Readable.from([Buffer.from(`${CODE}\n`)]), { isTTY: true });
    const code = await runCli(['login'], { ...mem.io, stdin: terminal }, COMMANDS);
    expect(mem.err()).toBe('Two-factor authentication code for mfa: ');
    expect(code).toBe(0);
    expect(mem.out()).toBe('Login Succeeded\n');
  });

  it('rejects --otp for another registry as a usage error', async () => {
    const env = await cleanEnv();
    const r = await runInProcess(
      ['login', '127.0.0.1:5000', '-u', 'mfa', '--password-stdin', '--otp', CODE],
      { env, stdin: 'mfa-pw\n' },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--otp applies to Docker Hub logins only');
  });
});
