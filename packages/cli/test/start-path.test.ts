// What `dhub` loads before its command runs (BENCHMARKS.md, "Start-up cost per command"): the
// program's chunks take built-ins from `process.getBuiltinModule` (tsup.config.ts), and bin.js
// with the chunks it imports statically holds neither undici, the services nor the simulator;
// the commands import them, and the built-ins only they need, on use.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../bin/dhub.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../dist/bin/', import.meta.url));
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** The specifiers of a chunk's static imports (`import ... from 'x';` and `import 'x';`). */
function staticImports(file: string): string[] {
  const text = readFileSync(join(BUNDLE, file), 'utf8');
  return [...text.matchAll(/^import (?:.+ from )?'([^']+)';$/gm)].map((m) => m[1] ?? '');
}

/** A chunk and every chunk it reaches through static imports (bin.js by default). */
function startChunks(first = 'bin.js'): string[] {
  const seen = new Set([first]);
  for (const file of seen)
    for (const spec of staticImports(file)) if (spec.startsWith('./')) seen.add(spec.slice(2));
  return [...seen];
}

/** The source files a chunk was built from, by its source map. */
function sourcesOf(file: string): string[] {
  const map = JSON.parse(readFileSync(join(BUNDLE, `${file}.map`), 'utf8')) as {
    sources: string[];
  };
  return map.sources;
}

describe('the start path of dhub', () => {
  it('imports no built-in module with an ES import but node:module (the banner’s createRequire)', () => {
    const chunks = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
    const esImports = chunks.flatMap((f) =>
      staticImports(f)
        .filter((spec) => BUILTINS.has(spec) && spec !== 'node:module')
        .map((spec) => `${f}: ${spec}`),
    );
    expect(esImports).toEqual([]);
    const viaGetter = chunks.filter((f) =>
      readFileSync(join(BUNDLE, f), 'utf8').includes('process.getBuiltinModule('),
    );
    expect(viaGetter).toContain('bin.js');
  });

  it('loads neither undici, the services, the simulator, the webhooks nor zod’s locales before a command asks', () => {
    const chunks = startChunks();
    expect(chunks).toContain('bin.js');
    const sources = chunks.flatMap(sourcesOf);
    expect(sources.some((s) => /(?:^|\/)core\/src\//.test(s))).toBe(true);
    const heavy = sources.filter((s) =>
      /\/undici\/|(?:^|\/)(?:transport|auth|services|simulation|webhooks)\/src\/|\/zod\/v4\/locales\/(?!en\.js)/.test(
        s,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it('gives the services (what a registry command loads) the lean undici: no fetch, WebSocket, cache or mock modules', () => {
    const chunks = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
    const services = chunks.find((f) =>
      sourcesOf(f).some((s) => /(?:^|\/)services\/src\//.test(s)),
    );
    expect(services).toBeDefined();
    const sources = startChunks(services).flatMap(sourcesOf);
    expect(sources.some((s) => s.endsWith('undici/lib/dispatcher/agent.js'))).toBe(true);
    expect(
      sources.filter((s) =>
        /undici\/(?:index\.js$|lib\/web\/fetch\/index\.js$|lib\/web\/(?:websocket|eventsource|cache|cookies)\/|lib\/mock\/|lib\/cache\/)/.test(
          s,
        ),
      ),
    ).toEqual([]);
  });

  it('loads no server, compression, child process, readline, TLS or HTTP module for dhub --help', () => {
    // Built-ins loaded by the process, read at exit (the entry ends with process.exit).
    const hook = `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'));`;
    const run = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, ENTRY, '--help'],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('commands:');
    const line = /^LOADED (.*)$/m.exec(run.stderr)?.[1] ?? '[]';
    const loaded = (JSON.parse(line) as string[])
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => m.slice('NativeModule '.length));
    expect(loaded).toContain('fs');
    const unwanted = [
      'http',
      'http2',
      'https',
      'zlib',
      'child_process',
      'readline',
      'tls',
      'stream/consumers',
      'internal/deps/undici/undici',
    ];
    expect(loaded.filter((m) => unwanted.includes(m))).toEqual([]);
  });
});
