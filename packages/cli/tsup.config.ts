import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import { baseTsupOptions } from '../../tooling/tsup/base.ts';

/**
 * Replaces a built file whole: written beside it, then renamed over it, so nothing (a write of
 * the bundler's still settling, a reader) ever sees a mix of the old and the new text.
 */
function replaceFile(name: string, text: string): void {
  const temp = `${name}.${String(process.pid)}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, name);
}

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const STATIC_IMPORT = /^import (.+) from '([^']+)';$/;

/**
 * Built-ins whose functions the program's chunks take on first call: every chunk shared by the
 * commands imports `node:fs/promises`, which Node loads with its file handle and stream machinery,
 * and `node:crypto` (with Node 24, its Argon2 and other modules): several ms each, while a
 * `dhub digest` never touches a file or hashes anything.
 */
const ON_USE = new Set(['fs/promises', 'node:fs/promises', 'crypto', 'node:crypto']);

/**
 * `{ a, b as c }` of an {@link ON_USE} module as functions that load it on their first call, on
 * one line (for imports of functions only: the caller checks that no name is a class).
 */
function onUseBindings(names: string, load: string): string {
  const bindings = names
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((n) => {
      const [imported = '', local = imported] = n.split(/\s+as\s+/);
      return `${local} = (...args) => ${load}.${imported}(...args)`;
    });
  return `const ${bindings.join(', ')};`;
}

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
  // Only functions called by name can wait (a class such as `X509Certificate` is used with `new`).
  if (named !== null && ON_USE.has(specifier) && !/\b[A-Z]/.test(named[1] ?? '')) return onUseBindings(named[1] ?? '', load);
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
      if (changed) replaceFile(name, lines.join('\n'));
    }
  },
};

// The program loads only the parts of undici the packages use (see src/bundle/undici-lean.cjs);
// only the bare `undici` is mapped, so the file's own `undici/lib/...` requires resolve as usual.
// The simulator (`dhub serve`, `dhub demo`, loaded on use) keeps undici itself, for `fetch`: its
// fetch, WebSocket, cache and mock modules then land in its chunks, not in every command's.
const undiciLean: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'undici-lean',
  setup(build) {
    const lean = fileURLToPath(new URL('./src/bundle/undici-lean.cjs', import.meta.url));
    build.onResolve({ filter: /^undici$/ }, ({ importer }) =>
      /[\\/]packages[\\/]simulation[\\/]/.test(importer) ? undefined : { path: lean },
    );
  },
};

/** One text replacement in a file of a dependency; the build fails when the text is not there. */
interface Patch {
  readonly file: RegExp;
  readonly from: string;
  readonly to: string;
}

/**
 * Built-ins undici requires at its top but a command rarely uses: `node:http2` (only for an HTTP/2
 * connection, which the packages never ask for; its constants are read at build time) and
 * `node:http` (for the default header size limit, which is Node's 16 KiB unless the process was
 * started with `--max-http-header-size`, and to recognise an `IncomingMessage` when destroying a
 * stream, which cannot be one before `node:http` is loaded); and `node:assert`, loaded when an
 * assertion fails. Required on first use in the program's bundle, they leave every command's
 * start-up (BENCHMARKS.md). A newer undici without this text fails the build.
 */
function undiciBuiltinsOnUse(): NonNullable<Options['esbuildPlugins']>[number] {
  const constants = JSON.stringify(createRequire(import.meta.url)('node:http2').constants);
  const patches: readonly Patch[] = [
    {
      file: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h2\.js$/,
      from: "  http2 = require('node:http2')\n",
      to: `  http2 = { constants: ${constants}, connect: (...args) => require('node:http2').connect(...args) }\n`,
    },
    {
      file: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
      from: "const http = require('node:http')\n",
      to: 'const http = { get maxHeaderSize () { return defaultMaxHeaderSize() } }\n',
    },
    {
      file: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
      from: 'const getDefaultNodeMaxHeaderSize = http &&',
      // Node's default (16 KiB) unless `--max-http-header-size` was given (the only way to change
      // it); then `node:http` says what it is.
      to:
        "const defaultMaxHeaderSize = () => [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('max-http-header-size')) ? require('node:http').maxHeaderSize : 16384\n" +
        'const getDefaultNodeMaxHeaderSize = http &&',
    },
    {
      file: /[\\/]undici[\\/]lib[\\/]core[\\/]util\.js$/,
      from: "const { IncomingMessage } = require('node:http')\n",
      to: "let IncomingMessage\nconst isIncomingMessage = (c) => c === (IncomingMessage ??= require('node:http').IncomingMessage)\n",
    },
    {
      file: /[\\/]undici[\\/]lib[\\/]core[\\/]util\.js$/,
      from: 'if (Object.getPrototypeOf(stream).constructor === IncomingMessage) {',
      to: 'if (isIncomingMessage(Object.getPrototypeOf(stream).constructor)) {',
    },
  ];
  return {
    name: 'undici-builtins-on-use',
    setup(build) {
      build.onLoad({ filter: /[\\/]undici[\\/]lib[\\/].*\.js$/ }, ({ path }) => {
        // `assert(value, message)` is all undici calls: node:assert loads only when one fails.
        let contents = readFileSync(path, 'utf8').replace(
          "const assert = require('node:assert')\n",
          "const assert = (value, message) => { if (!value) require('node:assert')(value, message) }\n",
        );
        for (const patch of patches.filter((p) => p.file.test(path))) {
          if (!contents.includes(patch.from)) {
            throw new Error(`tsup.config.ts: ${path} no longer has ${JSON.stringify(patch.from)}`);
          }
          contents = contents.replace(patch.from, patch.to);
        }
        return { contents, loader: 'js' };
      });
    },
  };
}

const LAZY_NAMESPACE = 'dhub-lazy-cjs';

/**
 * `semver` and `yaml` are CommonJS packages the services import at their top but use only for a
 * tag filter's `semver` range, a configuration file and a sync file; loaded with the services they
 * cost every registry command a few ms of evaluation (BENCHMARKS.md). In the program's bundle
 * (the libraries are not changed) each is replaced by a module with the same export names, read
 * from the package at build time, as getters that require the package on first use.
 */
function lazyCommonJs(packages: readonly string[]): NonNullable<Options['esbuildPlugins']>[number] {
  const filter = new RegExp(`^(?:${packages.join('|')})$`);
  return {
    name: 'lazy-commonjs',
    setup(build) {
      build.onResolve({ filter }, async ({ path, resolveDir, kind, namespace }) => {
        if (namespace === LAZY_NAMESPACE) return undefined;
        const real = await build.resolve(path, { resolveDir, kind, namespace: LAZY_NAMESPACE });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path, namespace: LAZY_NAMESPACE, pluginData: real.path };
      });
      build.onLoad({ filter: /.*/, namespace: LAZY_NAMESPACE }, ({ pluginData }) => {
        const path = String(pluginData);
        const names = Object.keys(createRequire(path)(path) as object).filter((n) => n !== '__esModule');
        const getters = names
          .map((n) => `  get ${JSON.stringify(n)}() { return load()[${JSON.stringify(n)}]; },`)
          .join('\n');
        return {
          contents: `let real;\nconst load = () => (real ??= require(${JSON.stringify(path)}));\nmodule.exports = {\n${getters}\n};\n`,
          loader: 'js',
          resolveDir: dirname(path),
        };
      });
    },
  };
}

/**
 * Finishes the CommonJS program: the `await import()` of a built-in that a command makes on use (a
 * server, readline) becomes `Promise.resolve(process.getBuiltinModule(...))`, since code compiled
 * with `vm.Script` has no ES module loader; then `dist/cjs/dhub.cjs.key` gets the SHA-256 of the
 * file, which bin/code-cache.js puts (with the package version and Node's) in the name of its
 * code cache, so a cache never outlives the file it was made from and the program never hashes
 * itself at run time.
 */
const codeCacheProgram: NonNullable<Options['plugins']>[number] = {
  name: 'code-cache-program',
  buildEnd({ writtenFiles }) {
    for (const { name } of writtenFiles) {
      if (!name.endsWith('.cjs')) continue;
      const text = readFileSync(name, 'utf8')
        // The ON_USE built-ins, required at the file's top or when a module is initialised,
        // become objects that load them on first use (esbuild calls their functions as
        // properties: `(0, import_promises4.readFile)(...)`).
        .replace(
          /^(\s*(?:var )?)(\w+) = require\("([\w:/]+)"\);$/gm,
          (line, lead: string, local: string, specifier: string) =>
            ON_USE.has(specifier)
              ? `${lead}${local} = new Proxy({}, { get: (_, key) => process.getBuiltinModule(${JSON.stringify(specifier)})[key] });`
              : line,
        )
        .replace(
          /\bawait import\((["'])([\w:/]+)\1\)/g,
          (call, _quote: string, specifier: string) =>
            BUILTINS.has(specifier)
              ? `await Promise.resolve(process.getBuiltinModule(${JSON.stringify(specifier)}))`
              : call,
        );
      // esbuild escapes non-ASCII characters except in comments; escaped there too, the file is
      // ASCII, so V8 keeps its source (which lazily compiled functions are parsed from) at one
      // byte per character instead of two, and code-cache.js reads it as latin1.
      const ascii = text.replace(
        /[^\0-\x7f]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      const left = /\b(?:await|return|=) import\(/.exec(ascii);
      if (left !== null) throw new Error(`tsup.config.ts: ${name} still imports: ${left[0]}`);
      replaceFile(name, ascii);
      replaceFile(`${name}.key`, `${createHash('sha256').update(ascii).digest('hex')}\n`);
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
    esbuildPlugins: [undiciLean, undiciBuiltinsOnUse(), lazyCommonJs(['semver', 'yaml'])],
    plugins: [builtinsWithoutFacades],
    outDir: 'dist/bin',
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __dhubCreateRequire } from 'node:module';\nconst require = __dhubCreateRequire(import.meta.url);",
    },
  },
  // The same program as one CommonJS file, the one bin/dhub.js runs: bin/code-cache.js compiles it
  // with `vm.Script` and keeps V8's code cache, made when a command succeeds, on disk.
  // Not split (CommonJS output cannot be): the modules a command imports on use stay wrapped in
  // esbuild's lazy initialisers, and with the code cache nothing is parsed twice. `import.meta.url`
  // (transport's optional `@opentelemetry/api` lookup) becomes the file's own URL.
  {
    ...baseTsupOptions,
    entry: { dhub: 'src/bin.ts' },
    format: ['cjs'],
    dts: false,
    clean: true,
    noExternal: [/.*/],
    external: ['@opentelemetry/api'],
    esbuildPlugins: [undiciLean, undiciBuiltinsOnUse(), lazyCommonJs(['semver', 'yaml'])],
    outDir: 'dist/cjs',
    // esbuild's own output: rollup's tree shaking (the base options) would hoist every module's
    // built-in `require` to the top of the file, so every command would load them all.
    treeshake: false,
    outExtension: () => ({ js: '.cjs' }),
    define: { 'import.meta.url': '__dhubImportMetaUrl' },
    banner: { js: "'use strict';\nvar __dhubImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [codeCacheProgram],
  },
]);
