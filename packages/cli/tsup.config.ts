import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tooling/tsup/base.ts';

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
    esbuildPlugins: [
      {
        name: 'undici-lean',
        setup(build) {
          const lean = fileURLToPath(new URL('./src/bundle/undici-lean.cjs', import.meta.url));
          build.onResolve({ filter: /^undici$/ }, () => ({ path: lean }));
        },
      },
    ],
    outDir: 'dist/bin',
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __dhubCreateRequire } from 'node:module';\nconst require = __dhubCreateRequire(import.meta.url);",
    },
  },
]);
