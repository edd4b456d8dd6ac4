// Tests of the layering check (tooling/scripts/check-layers.mjs, run by `pnpm lint`): violations
// are planted into the real workspace through the checker's overlay, so they are judged against
// the real package.json files and layer table; the program itself runs on the real tree and on a
// small planted workspace to show its exit code.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkLayers,
  formatViolation,
  importSpecifiers,
  RULES,
  type Violation,
} from '../../../tooling/scripts/check-layers.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(root, 'tooling/scripts/check-layers.mjs');

/** The violations the real tree plus one planted file produces, by rule and specifier. */
function planted(
  path: string,
  text: string,
): Pick<Violation, 'file' | 'line' | 'rule' | 'specifier'>[] {
  return checkLayers({ root, overlay: { [path]: text } }).map(
    ({ file, line, rule, specifier }) => ({
      file,
      line,
      rule,
      specifier,
    }),
  );
}

describe('check-layers on the real tree', () => {
  it('finds no violation', () => {
    expect(checkLayers({ root }).map(formatViolation)).toEqual([]);
  });

  it('exits 0 as a program', () => {
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('check-layers rejects', () => {
  it('a deep relative import into another package', () => {
    const file = 'packages/auth/src/planted.ts';
    expect(planted(file, "import { x } from '../../../transport/src/x.js';\n")).toEqual([
      { file, line: 1, rule: RULES.outside, specifier: '../../../transport/src/x.js' },
    ]);
  });

  it('a relative import that leaves the package by one level', () => {
    const file = 'packages/core/src/planted.ts';
    expect(planted(file, "export * from '../../transport/src/index.js';\n")).toEqual([
      { file, line: 1, rule: RULES.outside, specifier: '../../transport/src/index.js' },
    ]);
  });

  it('an import of a devDependency from production code', () => {
    // yaml is a devDependency of transport (its tests read YAML); users would not have it.
    const file = 'packages/transport/src/planted.ts';
    expect(planted(file, "// a comment first\nimport { parse } from 'yaml';\n")).toEqual([
      { file, line: 2, rule: RULES.devDependency, specifier: 'yaml' },
    ]);
  });

  it('a workspace devDependency (the simulator) imported by services', () => {
    const file = 'packages/services/src/planted.ts';
    const text = "const sim = await import('@llmdevops/docker-hub-simulation');\n";
    expect(planted(file, text)).toEqual([
      { file, line: 1, rule: RULES.layer, specifier: '@llmdevops/docker-hub-simulation' },
    ]);
  });

  it('an upward layer import, static, dynamic, require and type-only', () => {
    const file = 'packages/transport/src/planted.ts';
    const text = [
      "import { DockerHubClient } from '@llmdevops/docker-hub-services';",
      "export type { Credentials } from '@llmdevops/docker-hub-auth';",
      "const cli = await import('@llmdevops/docker-hub-cli');",
      "const hub = require('@llmdevops/docker-hub');",
      "type T = import('@llmdevops/docker-hub-webhooks').WebhookEvent;",
    ].join('\n');
    expect(planted(file, text).map((v) => [v.line, v.rule, v.specifier])).toEqual([
      [1, RULES.layer, '@llmdevops/docker-hub-services'],
      [2, RULES.layer, '@llmdevops/docker-hub-auth'],
      [3, RULES.layer, '@llmdevops/docker-hub-cli'],
      [4, RULES.layer, '@llmdevops/docker-hub'],
      [5, RULES.layer, '@llmdevops/docker-hub-webhooks'],
    ]);
  });

  it('a workspace package the layer allows but package.json does not declare', () => {
    // webhooks may use transport, but does not depend on it.
    const file = 'packages/webhooks/src/planted.mjs';
    expect(
      planted(file, "import { createTransport } from '@llmdevops/docker-hub-transport';\n"),
    ).toEqual([
      { file, line: 1, rule: RULES.undeclared, specifier: '@llmdevops/docker-hub-transport' },
    ]);
  });

  it('an undeclared third-party package and a subpath the target does not export', () => {
    const file = 'packages/auth/src/planted.ts';
    const text =
      "import pad from 'left-pad';\nimport { x } from '@llmdevops/docker-hub-core/src/x.js';\n";
    expect(planted(file, text)).toEqual([
      { file, line: 1, rule: RULES.undeclared, specifier: 'left-pad' },
      { file, line: 2, rule: RULES.subpath, specifier: '@llmdevops/docker-hub-core/src/x.js' },
    ]);
  });

  it('a package.json dependency against the layer order, and a package not in the table', () => {
    const manifest = (name: string, dependencies: Record<string, string>): string =>
      JSON.stringify({ name, dependencies });
    const violations = checkLayers({
      root,
      overlay: {
        'packages/core/package.json': manifest('@llmdevops/docker-hub-core', {
          zod: '^4.0.0',
          '@llmdevops/docker-hub-auth': 'workspace:^',
        }),
        'packages/extra/package.json': manifest('@llmdevops/docker-hub-extra', {}),
      },
    });
    expect(violations.map((v) => [v.file, v.rule, v.specifier])).toEqual([
      ['packages/core/package.json', RULES.manifestLayer, '@llmdevops/docker-hub-auth'],
      ['packages/extra/package.json', RULES.notInTable, '@llmdevops/docker-hub-extra'],
    ]);
  });
});

describe('check-layers accepts', () => {
  it('test files, builtins, its own package and relative paths inside the package', () => {
    const overlay = {
      'packages/core/src/planted.test.ts':
        "import { parse } from 'yaml';\nimport '../../auth/src/x.js';\n",
      'packages/core/src/planted.ts': [
        "import { readFile } from 'node:fs/promises';",
        "import { EventEmitter } from 'events';",
        "import { z } from 'zod';",
        "import manifest from '../package.json' with { type: 'json' };",
        "export { Digest } from './digest/index.js';",
      ].join('\n'),
    };
    expect(checkLayers({ root, overlay })).toEqual([]);
  });
});

describe('importSpecifiers', () => {
  it('reads every import form with its line, and ignores strings that are not imports', () => {
    const text = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "export * from 'c';",
      "const d = await import('d');",
      "const e = require('e');",
      "import f = require('f');",
      "const g = require.resolve('g');",
      "const h = import.meta.resolve('h');",
      "const s = 'import x from \"no\"'; // import('no')",
      'const dynamic = await import(name);',
    ].join('\n');
    expect(importSpecifiers('x.ts', text)).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((specifier, i) => ({ specifier, line: i + 1 })),
    );
  });
});

describe('check-layers as a program', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('prints file, line, specifier and rule and exits 1 on a violation', () => {
    dir = mkdtempSync(join(tmpdir(), 'check-layers-'));
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(dir ?? '', path)), { recursive: true });
      writeFileSync(join(dir ?? '', path), text);
    };
    write('packages/core/package.json', JSON.stringify({ name: '@llmdevops/docker-hub-core' }));
    write('packages/core/src/index.ts', "export {};\nimport '../../transport/src/x.js';\n");
    const run = spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'packages/core/src/index.ts:2: "../../transport/src/x.js": leaves packages/core',
    );
    expect(run.stderr).toContain(`[${RULES.outside}]`);
  });
});
