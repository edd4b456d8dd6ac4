import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CommandInput } from '../command.js';
import { loadConfig } from './config.js';

function input(
  values: Record<string, string | boolean>,
  env: NodeJS.ProcessEnv = {},
  cwd = '/',
): CommandInput {
  const sink = new Writable({
    write: (_c, _e, cb) => {
      cb();
    },
  });
  return {
    values,
    options: values,
    positionals: [],
    usage: 'dhub x',
    io: {
      stdout: sink,
      stderr: sink,
      stdin: Readable.from([]),
      env,
      stderrIsTTY: false,
      signal: new AbortController().signal,
      cwd,
    },
  };
}

describe('loadConfig', () => {
  it('reads the environment given to the command', async () => {
    const config = await loadConfig(
      input({}, { DOCKER_REGISTRY_URL: 'http://127.0.0.1:5000/', DOCKER_MAX_RETRIES: '1' }),
    );
    expect(config.registryUrl).toBe('http://127.0.0.1:5000');
    expect(config.resilience.maxRetries).toBe(1);
  });

  it('marks the named registries insecure only with --insecure', async () => {
    expect((await loadConfig(input({}), ['registry.example:5000'])).insecureRegistries).toEqual([]);
    expect(
      (await loadConfig(input({ insecure: true }), ['registry.example:5000'])).insecureRegistries,
    ).toEqual(['registry.example:5000']);
  });

  it('reads --config relative to the working directory, with ${VAR} from the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dhub-config-'));
    try {
      await writeFile(
        join(dir, 'dhub.yaml'),
        'docker_hub:\n  registry_url: ${REG}\n  insecure_registries: [a.example]\n',
      );
      const config = await loadConfig(
        input({ config: 'dhub.yaml', insecure: true }, { REG: 'http://127.0.0.1:6000' }, dir),
        ['b.example'],
      );
      expect(config.registryUrl).toBe('http://127.0.0.1:6000');
      expect(config.insecureRegistries).toEqual(['a.example', 'b.example']);
      await expect(loadConfig(input({ config: 'nope.yaml' }, {}, dir))).rejects.toThrow(/nope\.yaml/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
