#!/usr/bin/env node
// The layering check. Reads every package.json under packages/ and the import specifiers of every
// production file under packages/*/src, and rejects what would break a published package or the
// layer order in README.md and ARCHITECTURE.md:
//   core <- transport <- auth <- services <- docker-hub (umbrella) <- cli;
//   webhooks and simulation use core and transport (simulation also webhooks); cli may use all.
// A workspace dependency in package.json must be allowed by the layer table, and every import in
// src must name a package declared in dependencies or peerDependencies (devDependencies are not
// installed for users), allowed by the layer table, or stay inside its own package when relative.
// `checkLayers` is pure over the files it reads, so its tests can plant files; run as a program it
// prints one line per violation and exits 1 (`--root <dir>` checks another workspace).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export const SCOPE = '@llmdevops/docker-hub';

/** What each workspace package (short name) may import from the workspace, in production code. */
export const LAYERS = {
  core: [],
  transport: ['core'],
  auth: ['core', 'transport'],
  services: ['core', 'transport', 'auth'],
  webhooks: ['core', 'transport'],
  // The simulator signs the webhook deliveries it sends with webhooks' own HMAC.
  simulation: ['core', 'transport', 'webhooks'],
  'docker-hub': ['core', 'transport', 'auth', 'services', 'webhooks'],
  cli: ['core', 'transport', 'auth', 'services', 'webhooks', 'simulation', 'docker-hub'],
  // Private, never published: tests the packed tarballs of every package (devDependencies only).
  'packaging-tests': [],
};

/** Rule names, as printed. */
export const RULES = {
  notInTable: 'layer-table',
  manifestLayer: 'manifest-layer',
  layer: 'layer-order',
  devDependency: 'dev-dependency',
  undeclared: 'undeclared-dependency',
  outside: 'outside-package',
  subpath: 'unexported-subpath',
};

const SOURCE_FILE = /\.(?:ts|mts|js|mjs)$/;
const TEST_FILE = /\.(?:test|test-d|spec)\.(?:ts|mts|js|mjs)$/;
const BUILTINS = new Set(builtinModules);

/**
 * @param {string} name a package name from the workspace scope
 * @returns {string} its short name (`@llmdevops/docker-hub-auth` -> `auth`)
 */
const short = (name) => (name === SCOPE ? 'docker-hub' : name.slice(SCOPE.length + 1));

/**
 * @param {string} name
 * @returns {boolean} whether `name` is a workspace package name
 */
const isWorkspaceName = (name) => name === SCOPE || name.startsWith(`${SCOPE}-`);

/**
 * The package a bare specifier names, and the subpath after it.
 * @param {string} specifier
 * @returns {{ name: string, subpath: string }}
 */
export function splitSpecifier(specifier) {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, count).join('/');
  const rest = parts.slice(count).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
}

/**
 * Whether `subpath` (`.` or `./x`) is one of the keys of an `exports` map (with `*` patterns).
 * @param {unknown} exportsField
 * @param {string} subpath
 * @returns {boolean}
 */
function isExported(exportsField, subpath) {
  if (exportsField === undefined) return true;
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return subpath === '.';
  const keys = Object.keys(/** @type {object} */ (exportsField));
  if (!keys.some((k) => k.startsWith('.'))) return subpath === '.';
  return keys.some((key) => {
    const star = key.indexOf('*');
    if (star === -1) return key === subpath;
    return subpath.startsWith(key.slice(0, star)) && subpath.endsWith(key.slice(star + 1));
  });
}

/**
 * Every module specifier written as a string literal in a source file: static imports and
 * re-exports (type-only ones too: they end up in the published declarations), `import()`,
 * `import('x').T` types, `require()`, `require.resolve()`, `import x = require()` and
 * `import.meta.resolve()`.
 * @param {string} fileName used to pick the parser (TypeScript or JavaScript)
 * @param {string} text the file's contents
 * @returns {{ specifier: string, line: number }[]} in source order, lines from 1
 */
export function importSpecifiers(fileName, text) {
  const key = `${fileName}\0${text}`;
  const known = parsed.get(key);
  if (known !== undefined) return known.map((found) => ({ ...found }));
  const found = readSpecifiers(fileName, text);
  parsed.set(key, found);
  return found.map((f) => ({ ...f }));
}

/**
 * Parse results by file name and contents: the tests check the same tree many times.
 * @type {Map<string, { specifier: string, line: number }[]>}
 */
const parsed = new Map();

/**
 * @param {string} fileName
 * @param {string} text
 * @returns {{ specifier: string, line: number }[]}
 */
function readSpecifiers(fileName, text) {
  const kind = /\.m?js$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  /** @type {{ specifier: string, line: number }[]} */
  const found = [];
  /** @param {ts.Node | undefined} node */
  const add = (node) => {
    if (node === undefined || !ts.isStringLiteralLike(node)) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push({ specifier: node.text, line: line + 1 });
  };
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isResolve =
        ts.isPropertyAccessExpression(callee) &&
        callee.name.text === 'resolve' &&
        ((ts.isIdentifier(callee.expression) && callee.expression.text === 'require') ||
          (ts.isMetaProperty(callee.expression) && callee.expression.name.text === 'meta'));
      if (isImport || isRequire || isResolve) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Reads the workspace from disk, with `overlay` files (path relative to `root` -> contents) added
 * or replacing what is there; the tests plant violations this way.
 * @param {string} root
 * @param {Readonly<Record<string, string>>} overlay
 */
function workspaceReader(root, overlay) {
  const planted = new Map(
    Object.entries(overlay).map(([p, text]) => [p.split('\\').join('/'), text]),
  );
  return {
    /** @param {string} path relative, `/`-separated */
    read: (path) => planted.get(path) ?? readFileSync(join(root, path), 'utf8'),
    /** @param {string} path relative, `/`-separated */
    exists: (path) => planted.has(path) || existsSync(join(root, path)),
    /**
     * Every file under a directory, relative to the root, sorted.
     * @param {string} dir relative, `/`-separated
     * @returns {string[]}
     */
    files: (dir) => {
      const out = new Set([...planted.keys()].filter((p) => p.startsWith(`${dir}/`)));
      /** @param {string} rel */
      const walk = (rel) => {
        const abs = join(root, rel);
        if (!existsSync(abs) || !statSync(abs).isDirectory()) return;
        for (const entry of readdirSync(abs, { withFileTypes: true })) {
          const path = `${rel}/${entry.name}`;
          if (entry.isDirectory()) {
            if (entry.name !== 'node_modules') walk(path);
          } else out.add(path);
        }
      };
      walk(dir);
      return [...out].sort();
    },
    /** @returns {string[]} the directory names under packages/ */
    packageDirs: () => {
      const dirs = new Set(
        [...planted.keys()]
          .filter((p) => p.startsWith('packages/'))
          .map((p) => p.split('/')[1] ?? ''),
      );
      const abs = join(root, 'packages');
      if (existsSync(abs)) {
        for (const entry of readdirSync(abs, { withFileTypes: true })) {
          if (entry.isDirectory()) dirs.add(entry.name);
        }
      }
      dirs.delete('');
      return [...dirs].sort();
    },
  };
}

/**
 * @typedef {object} Violation
 * @property {string} file path relative to the root, `/`-separated
 * @property {number} line 1-based; 0 for a package.json entry
 * @property {string} specifier the import specifier or dependency name
 * @property {string} rule one of {@link RULES}
 * @property {string} message why it is rejected
 */

/**
 * Checks the workspace under `root`.
 * @param {{ root: string, overlay?: Readonly<Record<string, string>>, layers?: Readonly<Record<string, readonly string[]>> }} options
 * @returns {Violation[]} every violation found, sorted by file and line; empty when the tree is clean
 */
export function checkLayers({ root, overlay = {}, layers = LAYERS }) {
  const fs = workspaceReader(resolve(root), overlay);
  /** @type {Violation[]} */
  const violations = [];
  /** @type {Map<string, { exports?: unknown }>} */
  const manifests = new Map();
  const packages = [];
  for (const dir of fs.packageDirs()) {
    const file = `packages/${dir}/package.json`;
    if (!fs.exists(file)) continue;
    const pkg = JSON.parse(fs.read(file));
    manifests.set(pkg.name, pkg);
    packages.push({ dir, file, pkg });
  }
  for (const { dir, file, pkg } of packages) {
    const me = short(pkg.name);
    const allowed = layers[me];
    if (!isWorkspaceName(pkg.name) || allowed === undefined) {
      violations.push({
        file,
        line: 0,
        specifier: pkg.name,
        rule: RULES.notInTable,
        message: `${pkg.name} is not in the layer table of tooling/scripts/check-layers.mjs; add it where README.md and ARCHITECTURE.md place it`,
      });
      continue;
    }
    for (const field of ['dependencies', 'peerDependencies']) {
      for (const dep of Object.keys(pkg[field] ?? {})) {
        if (isWorkspaceName(dep) && dep !== pkg.name && !allowed.includes(short(dep))) {
          violations.push({
            file,
            line: 0,
            specifier: dep,
            rule: RULES.manifestLayer,
            message: `${pkg.name} may not depend on ${dep} (${field}): ${me} may use ${list(allowed)}`,
          });
        }
      }
    }
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    const dev = new Set(Object.keys(pkg.devDependencies ?? {}));
    const production = fs
      .files(`packages/${dir}/src`)
      .filter((p) => SOURCE_FILE.test(p) && !TEST_FILE.test(p) && !p.endsWith('.d.ts'));
    for (const path of production) {
      for (const { specifier, line } of importSpecifiers(path, fs.read(path))) {
        const problem = judge({
          specifier,
          path,
          dir,
          me,
          allowed,
          declared,
          dev,
          self: pkg.name,
          manifests,
        });
        if (problem !== undefined) violations.push({ file: path, line, specifier, ...problem });
      }
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** @param {readonly string[]} names */
const list = (names) => (names.length === 0 ? 'no workspace package' : names.join(', '));

/**
 * The rule one import breaks, if any.
 * @param {{ specifier: string, path: string, dir: string, me: string, allowed: readonly string[], declared: Set<string>, dev: Set<string>, self: string, manifests: Map<string, { exports?: unknown }> }} input
 * @returns {{ rule: string, message: string } | undefined}
 */
function judge({ specifier, path, dir, me, allowed, declared, dev, self, manifests }) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:')) {
    if (specifier.startsWith('.')) {
      const target = posix.normalize(posix.join(posix.dirname(path), specifier));
      if (target.startsWith(`packages/${dir}/`)) return undefined;
    }
    return {
      rule: RULES.outside,
      message: `leaves packages/${dir}: import another package by its name, declared in package.json`,
    };
  }
  const bare = specifier.startsWith('node:') ? specifier : splitSpecifier(specifier).name;
  if (bare.startsWith('node:') || BUILTINS.has(bare)) return undefined;
  const { name, subpath } = splitSpecifier(specifier);
  if (name === self) return undefined;
  if (isWorkspaceName(name)) {
    const them = short(name);
    if (!allowed.includes(them)) {
      return {
        rule: RULES.layer,
        message: `${me} may not import ${them} (layer order: ${me} may use ${list(allowed)})`,
      };
    }
    const target = manifests.get(name);
    if (target !== undefined && !isExported(target.exports, subpath)) {
      return {
        rule: RULES.subpath,
        message: `${name} does not export "${subpath}"; import its public entry point`,
      };
    }
  }
  if (declared.has(name)) return undefined;
  if (dev.has(name)) {
    return {
      rule: RULES.devDependency,
      message: `${name} is a devDependency of ${self}: users do not get it; move it to dependencies or keep it in tests`,
    };
  }
  return {
    rule: RULES.undeclared,
    message: `${name} is not in the dependencies or peerDependencies of ${self}`,
  };
}

/**
 * @param {Violation} v
 * @returns {string} one line: `file:line: specifier: message [rule]`
 */
export function formatViolation(v) {
  const where = v.line > 0 ? `${v.file}:${v.line}` : v.file;
  return `${where}: "${v.specifier}": ${v.message} [${v.rule}]`;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  // `--root <dir>` checks another workspace (the tests run the program on a planted one).
  const at = process.argv.indexOf('--root');
  const root =
    at === -1
      ? resolve(dirname(fileURLToPath(import.meta.url)), '../..')
      : resolve(process.argv[at + 1] ?? '.');
  const violations = checkLayers({ root });
  for (const v of violations) console.error(`check-layers: ${formatViolation(v)}`);
  if (violations.length > 0) {
    console.error(`check-layers: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log('check-layers: ok');
}
