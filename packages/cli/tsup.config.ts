import { readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import { baseTsupOptions } from '../../tooling/tsup/base.ts';

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const STATIC_IMPORT = /^import (.+) from '([^']+)';$/;

/**
 * One static import of a built-in module as a `process.getBuiltinModule` call (Node 20.16+; the
 * package needs 20.19): `import { a, b as c } from 'fs';` becomes
 * `const { a, b: c } = process.getBuiltinModule('fs');`, on one line, so the source maps stay
 * true. Undefined for any other line.
 */
function fromGetBuiltinModule(line: string): string | undefined {
  const match = STATIC_IMPORT.exec(line);
  if (match === null) return undefined;
  const [, clause = '', specifier = ''] = match;
  // `node:module` stays an import: the banner takes `createRequire` from it to define `require`.
  if (!BUILTINS.has(specifier) || specifier === 'node:module') return undefined;
  const load = `process.getBuiltinModule(${JSON.stringify(specifier)})`;
  const named = /^\{([^}]*)\}$/.exec(clause);
  if (named !== null) return `const {${(named[1] ?? '').replace(/ as /g, ': ')}} = ${load};`;
  const whole = /^(?:\* as )?([\w$]+)$/.exec(clause);
  if (whole !== null) return `const ${whole[1] ?? ''} = ${load};`;
  throw new Error(`tsup.config.ts: cannot rewrite ${JSON.stringify(line)}`);
}

/**
 * An ES import of a built-in module builds its module facade, which reads every export: on Node
 * 22+ `node:http`'s `WebSocket` getters load Node's own undici (tens of ms) and `node:fs`'s stream
 * getters the fs streams; `process.getBuiltinModule` returns the module object, whose properties
 * are read only as a chunk uses them. The program's chunks therefore take built-ins from it
 * (dynamic `import()` of a built-in, in the commands that serve, is left as it is).
 */
const builtinsWithoutFacades: NonNullable<Options['plugins']>[number] = {
  name: 'builtins-without-facades',
  buildEnd({ writtenFiles }) {
    for (const { name } of writtenFiles) {
      if (!name.endsWith('.js')) continue;
      const lines = readFileSync(name, 'utf8').split('\n');
      let changed = false;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? '';
        if (!line.startsWith('import ')) continue;
        const rewritten = fromGetBuiltinModule(line);
        if (rewritten === undefined) continue;
        lines[i] = rewritten;
        changed = true;
      }
      if (changed) writeFileSync(name, lines.join('\n'));
    }
  },
};

// The library entry (`dist/index.js`) keeps every dependency external, as in every package.
// The `dhub` program (`dist/bin/bin.js`) is bundled with its dependencies and split into chunks that
// commands load on demand: start-up parses one file instead of resolving and compiling ~300
// modules, which halves the time and memory of every `dhub` run (issue 10, BENCHMARKS.md).
// `@opentelemetry/api` stays external: it is an optional peer the transport looks up at run time.
// The two builds run at the same time, so each cleans only its own files: the library its
// top-level files, the program its own directory `dist/bin/`.
export default defineConfig([
  { ...baseTsupOptions, clean: ['*.js', '*.d.ts', '*.map'] },
  {
    ...baseTsupOptions,
    entry: { bin: 'src/bin.ts' },
    dts: false,
    clean: true,
    splitting: true,
    noExternal: [/.*/],
    external: ['@opentelemetry/api'],
    // The program loads only the parts of undici the packages use (see src/bundle/undici-lean.cjs);
    // only the bare `undici` is mapped, so the file's own `undici/lib/...` requires resolve as usual.
    // The simulator (`dhub serve`, `dhub demo`, loaded on use) keeps undici itself, for `fetch`: its
    // fetch, WebSocket, cache and mock modules then land in its chunks, not in every command's.
    esbuildPlugins: [
      {
        name: 'undici-lean',
        setup(build) {
          const lean = fileURLToPath(new URL('./src/bundle/undici-lean.cjs', import.meta.url));
          build.onResolve({ filter: /^undici$/ }, ({ importer }) =>
            /[\\/]packages[\\/]simulation[\\/]/.test(importer) ? undefined : { path: lean },
          );
        },
      },
    ],
    plugins: [builtinsWithoutFacades],
    outDir: 'dist/bin',
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __dhubCreateRequire } from 'node:module';\nconst require = __dhubCreateRequire(import.meta.url);",
    },
  },
]);
