// The release flow of docs/releasing.md, rehearsed on a copy: `changeset version` over this
// repository's pending changesets gives every published package a bumped version and a
// CHANGELOG.md with its changeset text, leaves the private packages alone, and does not touch
// the real checkout.
import {
  writeFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedPackages, repoRoot, run, type RunResult } from './helpers.js';

type Bump = 'major' | 'minor' | 'patch';

/** A pending changeset: which packages it bumps how, and its text. */
interface Changeset {
  readonly file: string;
  readonly releases: ReadonlyMap<string, Bump>;
  readonly summary: string;
}

/** Reads `.changeset/*.md` (YAML front matter of `"name": bump` lines, then the text). */
function readChangesets(dir: string): Changeset[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      // An empty changeset (`---\n---`) releases nothing, which changesets allows.
      const match = /^---\r?\n([\s\S]*?)\r?\n?---(?:\r?\n|$)([\s\S]*)$/.exec(text);
      if (match === null) throw new Error(`${file}: no front matter`);
      const releases = new Map<string, Bump>();
      for (const line of (match[1] ?? '').split('\n').filter((l) => l.trim() !== '')) {
        const release = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line);
        if (release === null) throw new Error(`${file}: cannot read front matter line ${line}`);
        releases.set(release[1] ?? '', release[2] as Bump);
      }
      return { file, releases, summary: (match[2] ?? '').trim() };
    });
}

/** The version `changeset version` gives `version` for a bump. */
function bumped(version: string, bump: Bump): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/**
 * What `changeset version` would change in a checkout: package versions, CHANGELOG.md files and
 * the pending changeset files (versions, not whole files, so a colleague's edit elsewhere in a
 * package.json during the run does not count).
 */
function fingerprint(root: string): string {
  const state: Record<string, unknown> = {
    changesets: readdirSync(join(root, '.changeset'))
      .filter((f) => f.endsWith('.md'))
      .sort(),
  };
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    state[dir] = {
      version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version,
      changelog: existsSync(join(root, 'packages', dir, 'CHANGELOG.md'))
        ? readFileSync(join(root, 'packages', dir, 'CHANGELOG.md'), 'utf8')
        : null,
    };
  }
  return JSON.stringify(state);
}

const published = publishedPackages();
const pending = readChangesets(join(repoRoot, '.changeset'));
// Added to the copy only, so the rehearsal releases something even when nothing is pending (right
// after a release): a core patch, which every other package follows (they all depend on core).
const REHEARSAL_FILE = 'zz-packaging-rehearsal.md';
const REHEARSAL = `---
"@llmdevops/docker-hub-core": patch
---

Release rehearsal by packaging-tests (only ever written to a temporary copy).
`;
const changesets = [
  ...pending,
  {
    file: REHEARSAL_FILE,
    releases: new Map<string, Bump>([['@llmdevops/docker-hub-core', 'patch']]),
    summary: REHEARSAL.split('---\n')[2]?.trim() ?? '',
  },
];

const ORDER: Bump[] = ['patch', 'minor', 'major'];
/**
 * The bump each published package should get: the highest its own changesets ask for, or a patch
 * when a workspace package it depends on is bumped (`updateInternalDependencies: "patch"`).
 */
function expectedBumps(): Map<string, Bump> {
  const bumps = new Map<string, Bump>();
  for (const c of changesets) {
    for (const [name, b] of c.releases) {
      const prev = bumps.get(name);
      if (prev === undefined || ORDER.indexOf(b) > ORDER.indexOf(prev)) bumps.set(name, b);
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const p of published) {
      if (bumps.has(p.name)) continue;
      const deps = {
        ...(p.manifest['dependencies'] as Record<string, string> | undefined),
        ...(p.manifest['peerDependencies'] as Record<string, string> | undefined),
      };
      if (Object.keys(deps).some((d) => bumps.has(d))) {
        bumps.set(p.name, 'patch');
        changed = true;
      }
    }
  }
  return bumps;
}
let copy = '';
let before = '';
let result: RunResult | undefined;

beforeAll(async () => {
  before = fingerprint(repoRoot);
  copy = mkdtempSync(join(tmpdir(), 'dhub-changeset-'));
  for (const f of ['package.json', 'pnpm-workspace.yaml'])
    copyFileSync(join(repoRoot, f), join(copy, f));
  mkdirSync(join(copy, '.changeset'));
  for (const f of readdirSync(join(repoRoot, '.changeset')))
    copyFileSync(join(repoRoot, '.changeset', f), join(copy, '.changeset', f));
  for (const dir of readdirSync(join(repoRoot, 'packages'))) {
    const manifest = join(repoRoot, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    mkdirSync(join(copy, 'packages', dir), { recursive: true });
    copyFileSync(manifest, join(copy, 'packages', dir, 'package.json'));
  }
  writeFileSync(join(copy, '.changeset', REHEARSAL_FILE), REHEARSAL);
  // The changelog generator named in config.json is resolved from the copy's node_modules.
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const changesetBin = join(repoRoot, 'node_modules', '@changesets', 'cli', 'bin.js');
  result = await run(process.execPath, [changesetBin, 'version'], { cwd: copy, timeoutMs: 60_000 });
}, 90_000);

afterAll(() => {
  if (copy !== '') rmSync(copy, { recursive: true, force: true });
});

describe('.changeset', () => {
  it('config.json: public access, main, private packages neither versioned nor tagged', () => {
    const config = JSON.parse(
      readFileSync(join(repoRoot, '.changeset', 'config.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(config['access']).toBe('public');
    expect(config['baseBranch']).toBe('main');
    expect(config['commit']).toBe(false);
    expect(config['privatePackages']).toEqual({ version: false, tag: false });
    expect(config['updateInternalDependencies']).toBe('patch');
  });

  it('every pending changeset names only published packages and says what changed', () => {
    const names = new Set(published.map((p) => p.name));
    for (const c of pending) {
      for (const name of c.releases.keys())
        expect(names.has(name), `${c.file}: ${name}`).toBe(true);
      if (c.releases.size > 0) expect(c.summary.length, c.file).toBeGreaterThan(20);
    }
  });
});

describe('changeset version (on a copy of the repository)', () => {
  it('succeeds and consumes every pending changeset', () => {
    expect(result?.status, `${result?.stdout ?? ''}${result?.stderr ?? ''}`).toBe(0);
    expect(
      readdirSync(join(copy, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md'),
    ).toEqual([]);
  });

  it('bumps every published package (core by the rehearsal changeset, the rest as dependents at least)', () => {
    const bumps = expectedBumps();
    expect(published.filter((p) => !bumps.has(p.name)).map((p) => p.name)).toEqual([]);
  });

  it.each(published.map((p) => [p.name, p] as const))(
    '%s: bumped version and a CHANGELOG.md with its changesets',
    (name, p) => {
      const mine = changesets.filter((c) => c.releases.has(name));
      const expected = bumped(p.version, expectedBumps().get(name) ?? 'patch');
      const after = JSON.parse(
        readFileSync(join(copy, 'packages', p.folder, 'package.json'), 'utf8'),
      ) as {
        version: string;
        dependencies?: Record<string, string>;
      };
      expect(after.version).toBe(expected);
      // Internal ranges stay `workspace:^`; pnpm pack turns them into `^<version>` when publishing.
      for (const [dep, range] of Object.entries(after.dependencies ?? {})) {
        if (dep.startsWith('@llmdevops/')) expect(range, dep).toBe('workspace:^');
      }
      const changelog = readFileSync(join(copy, 'packages', p.folder, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${name}\n`)).toBe(true);
      expect(changelog).toContain(`## ${expected}`);
      for (const c of mine) {
        const firstLine = c.summary.split('\n')[0] ?? '';
        expect(changelog, `${c.file} in ${name}'s CHANGELOG.md`).toContain(firstLine);
      }
    },
  );

  it('leaves private packages alone', () => {
    for (const dir of readdirSync(join(repoRoot, 'packages'))) {
      const manifest = join(repoRoot, 'packages', dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        private?: boolean;
        version: string;
      };
      if (pkg.private !== true) continue;
      const after = JSON.parse(
        readFileSync(join(copy, 'packages', dir, 'package.json'), 'utf8'),
      ) as { version: string };
      expect(after.version, dir).toBe(pkg.version);
      expect(existsSync(join(copy, 'packages', dir, 'CHANGELOG.md')), dir).toBe(false);
    }
    expect(published.length).toBeLessThan(readdirSync(join(repoRoot, 'packages')).length);
  });

  it('does not touch the real checkout', () => {
    expect(JSON.parse(before)).toHaveProperty('core');
    expect(fingerprint(repoRoot)).toBe(before);
  });
});
