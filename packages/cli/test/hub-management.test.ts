// Managing Docker Hub with dhub against the simulator's dockerhub profile: repositories with a
// README, scoped personal access tokens, retention (prune), tag metadata, organisations, and
// bad input refused with exit 2 before anything changes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, writeTestLayout } from './helpers.js';

const DAY = 86_400_000;
const ALICE = { name: 'alice', password: 'alice-pw', namespaces: ['alice', 'acme'] };
const BOB = { name: 'bob', password: 'bob-pw', namespaces: ['acme'] };

let sim: Simulator;
let url: string;
let work: string;
/** The simulator's clock: pushes are dated by it. */
let simNow = Date.now();
let alice: NodeJS.ProcessEnv;
let anonymous: NodeJS.ProcessEnv;

const dhub = (argv: string[], env = alice, stdin?: string) =>
  runInProcess(argv, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });

async function json<T>(argv: string[], env = alice): Promise<T> {
  const r = await dhub([...argv, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  sim = createSimulator({
    profile: 'dockerhub',
    users: [ALICE, BOB],
    clock: { now: () => simNow },
  });
  url = (await sim.listen()).url;
  const hub = { DOCKER_HUB_URL: url, DOCKER_REGISTRY_URL: url };
  alice = await cleanEnv({
    ...hub,
    DOCKER_HUB_USERNAME: ALICE.name,
    DOCKER_HUB_PASSWORD: ALICE.password,
  });
  anonymous = await cleanEnv(hub);
  work = await mkdtemp(join(tmpdir(), 'dhub-hub-manage-'));
});

afterAll(async () => {
  await sim.close();
  await rm(work, { recursive: true, force: true });
});

interface Repo {
  name: string;
  description: string;
  fullDescription?: string;
  isPrivate: boolean;
}

describe('dhub repo create / set / rm', () => {
  it('creates a private repository with a README from a file, reads it back, switches visibility and deletes it', async () => {
    await writeFile(join(work, 'README.md'), '# App\n\nWhat it does.\n');
    const created = await dhub([
      'repo',
      'create',
      'alice/app',
      '--private',
      '--description',
      'The app',
      '--readme',
      'README.md',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'Created alice/app (private)\n' });
    expect(await json<Repo>(['repo', 'alice/app'])).toMatchObject({
      name: 'app',
      description: 'The app',
      fullDescription: '# App\n\nWhat it does.\n',
      isPrivate: true,
    });
    const shown = await dhub(['repo', 'alice/app']);
    expect(shown.stdout).toContain('visibility: private\n');
    expect(shown.stdout).toContain('full description:\n  # App\n\n  What it does.\n');
    // Private: others do not see it.
    expect((await dhub(['repo', 'alice/app'], anonymous)).code).toBe(1);

    expect((await dhub(['repo', 'set', 'alice/app', '--public'])).stdout).toBe(
      'Updated alice/app (public)\n',
    );
    expect(await json<Repo>(['repo', 'alice/app'], anonymous)).toMatchObject({
      isPrivate: false,
      description: 'The app',
    });
    await writeFile(join(work, 'README2.md'), '# App v2\n');
    expect(
      (
        await dhub([
          'repo',
          'set',
          'alice/app',
          '--readme',
          'README2.md',
          '--description',
          'Second',
        ])
      ).code,
    ).toBe(0);
    expect(await json<Repo>(['repo', 'alice/app'])).toMatchObject({
      description: 'Second',
      fullDescription: '# App v2\n',
      isPrivate: false,
    });

    const refused = await dhub(['repo', 'rm', 'alice/app']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes');
    expect((await dhub(['repo', 'alice/app'])).code).toBe(0);
    expect(await dhub(['repo', 'rm', 'alice/app', '--yes'])).toMatchObject({
      code: 0,
      stdout: 'Deleted alice/app\n',
    });
    const gone = await dhub(['repo', 'alice/app']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^NOT_FOUND: /);
  });

  it('refuses bad names, a README over 25,000 characters and a description over 100 with exit 2, changing nothing', async () => {
    expect((await dhub(['repo', 'create', 'alice/kept', '--readme', 'README2.md'])).code).toBe(0);
    const before = await json<Repo[]>(['repos', 'alice']);

    const badNs = await dhub(['repo', 'create', 'Bad_NS!/app']);
    expect(badNs.code).toBe(2);
    expect(badNs.stderr).toContain('invalid NAMESPACE');
    const badName = await dhub(['repo', 'create', 'alice/Has_Upper']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('invalid NAME: Has_Upper');
    expect((await dhub(['repo', 'create', 'alice/a'])).code).toBe(2);

    await writeFile(join(work, 'BIG.md'), 'é'.repeat(25_001));
    const big = await dhub(['repo', 'set', 'alice/kept', '--readme', 'BIG.md']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain(
      '--readme BIG.md is 25,001 characters; Docker Hub takes at most 25,000 characters (full_description in the Hub API spec)',
    );
    await writeFile(join(work, 'FITS.md'), 'é'.repeat(25_000));
    const bigCreate = await dhub(['repo', 'create', 'alice/big', '--readme', 'BIG.md']);
    expect(bigCreate.code).toBe(2);
    const longDescription = await dhub([
      'repo',
      'set',
      'alice/kept',
      '--description',
      'x'.repeat(101),
    ]);
    expect(longDescription.code).toBe(2);
    expect(longDescription.stderr).toContain(
      '--description is 101 characters; Docker Hub takes at most 100',
    );
    expect((await dhub(['repo', 'set', 'alice/kept'])).code).toBe(2);
    expect((await dhub(['repo', 'set', 'alice/kept', '--private', '--public'])).code).toBe(2);

    expect(await json<Repo[]>(['repos', 'alice'])).toEqual(before);
    expect(await json<Repo>(['repo', 'alice/kept'])).toMatchObject({
      fullDescription: '# App v2\n',
    });
    // Exactly 25,000 characters (50,000 bytes) is accepted.
    expect((await dhub(['repo', 'set', 'alice/kept', '--readme', 'FITS.md'])).code).toBe(0);
    expect((await json<Repo>(['repo', 'alice/kept'])).fullDescription).toHaveLength(25_000);
  });
});

interface CreatedToken {
  uuid: string;
  token: string;
  scopes: string[];
  isActive: boolean;
}

describe('dhub token', () => {
  it('creates a read-only token shown once, logs in with it, is refused a push, names the missing scope, and is deleted', async () => {
    await writeTestLayout(join(work, 'layout'), 'v1');
    expect((await dhub(['push', 'layout', 'alice/pushed:v1'])).code).toBe(0);

    const created = await json<CreatedToken>([
      'token',
      'create',
      '--label',
      'read only',
      '--scope',
      'repo:read',
      '--expires',
      '30d',
    ]);
    expect(created.token).toMatch(/^dckr_pat_/);
    expect(created).toMatchObject({ scopes: ['repo:read'], isActive: true });
    const listed = await dhub(['token', 'ls']);
    expect(listed.stdout).toContain(
      `${created.uuid}\tactive\trepo:read\tread only\tnever used\texpires `,
    );
    expect(listed.stdout).not.toContain(created.token);
    expect((await dhub(['token', 'ls', '--json'])).stdout).not.toContain(created.token);

    const patEnv = await cleanEnv({ DOCKER_HUB_URL: url, DOCKER_REGISTRY_URL: url });
    const login = await dhub(['login', '-u', 'alice', '--password-stdin'], patEnv, created.token);
    expect(login.code, login.stderr).toBe(0);
    expect((await dhub(['tags', 'alice/pushed'], patEnv)).stdout).toBe('v1\n');
    const push = await dhub(['push', 'layout', 'alice/pushed:v2'], patEnv);
    expect(push.code).toBe(1);
    expect(push.stderr).toMatch(/^(DENIED|UNAUTHORIZED): /);
    expect((await dhub(['tags', 'alice/pushed'])).stdout).toBe('v1\n');

    const patHub = await cleanEnv({
      DOCKER_HUB_URL: url,
      DOCKER_REGISTRY_URL: url,
      DOCKER_HUB_USERNAME: 'alice',
      DOCKER_HUB_ACCESS_TOKEN: created.token,
    });
    const create = await dhub(['repo', 'create', 'alice/by-pat'], patHub);
    expect(create.code).toBe(1);
    expect(create.stderr).toContain(
      'create repository alice/by-pat (needs an access token with scope repo:write)',
    );

    expect((await dhub(['token', 'disable', created.uuid])).stdout).toBe(
      `Disabled ${created.uuid} (read only)\n`,
    );
    expect(
      (await dhub(['login', '-u', 'alice', '--password-stdin'], patEnv, created.token)).code,
    ).toBe(1);
    expect((await dhub(['token', 'enable', created.uuid])).code).toBe(0);
    expect((await dhub(['token', 'rm', created.uuid])).code).toBe(2);
    expect(await dhub(['token', 'rm', created.uuid, '--yes'])).toMatchObject({
      code: 0,
      stdout: `Deleted ${created.uuid}\n`,
    });
    const after = await dhub(['login', '-u', 'alice', '--password-stdin'], patEnv, created.token);
    expect(after.code).toBe(1);
    expect(await json<unknown[]>(['token', 'ls'])).toEqual([]);
  });

  it('prints the secret only on stdout, once, and never with --debug on stderr', async () => {
    const r = await dhub([
      'token',
      'create',
      '--label',
      'debugged',
      '--scope',
      'repo:admin',
      '--debug',
    ]);
    expect(r.code).toBe(0);
    const secret = r.stdout.trim();
    expect(secret).toMatch(/^dckr_pat_[\w-]+$/);
    expect(r.stderr).not.toContain(secret);
    expect(r.stderr).toContain('shown only now');
  });

  it('refuses an unknown scope, a missing label, a bad --expires and a malformed UUID with exit 2, creating nothing', async () => {
    const before = await json<unknown[]>(['token', 'ls']);
    const unknown = await dhub(['token', 'create', '--label', 'x', '--scope', 'repo:delete']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown scope repo:delete: one of repo:public_read, repo:read, repo:write, repo:admin',
    );
    expect((await dhub(['token', 'create', '--scope', 'repo:read'])).code).toBe(2);
    expect(
      (await dhub(['token', 'create', '--label', 'x', '--scope', 'repo:read', '--expires', 'soon']))
        .code,
    ).toBe(2);
    expect((await dhub(['token', 'disable', 'not-a-uuid'])).code).toBe(2);
    expect(await json<unknown[]>(['token', 'ls'])).toEqual(before);
  });
});

interface Plan {
  dryRun: boolean;
  via: string;
  tags: { name: string; action: string; rule: string }[];
  deleted: string[];
}

describe('dhub prune and dhub tags --long', () => {
  beforeAll(async () => {
    const start = Date.now();
    // Six tags pushed 100, 80, 60, 40, 20 and 1 days ago, each a different image.
    for (const [i, age] of [100, 80, 60, 40, 20, 1].entries()) {
      simNow = start - age * DAY;
      await writeTestLayout(join(work, `rel${i}`), `t${i}`, `release ${i}`);
      const r = await dhub(['push', `rel${i}`, `alice/rel:t${i}`]);
      expect(r.code, r.stderr).toBe(0);
    }
    simNow = start;
  });

  it('tags --long shows digest, size, last push and pull, platforms; --sort, --include and --exclude narrow and order', async () => {
    expect((await dhub(['manifest', 'alice/rel:t2'])).code).toBe(0);
    const long = await dhub([
      'tags',
      'alice/rel',
      '--long',
      '--sort',
      'updated',
      '--include',
      't[1-4]',
      '--exclude',
      't3',
    ]);
    const lines = long.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['t4', 't2', 't1']);
    for (const l of lines)
      expect(l).toMatch(
        /^t\d\tsha256:[0-9a-f]{64}\t\d+\tpushed \d{4}-\d\d-\d\dT[\d:]+Z\tpulled (-|\S+)\tlinux\/amd64,linux\/arm64$/,
      );
    expect(lines[1]).toMatch(/\tpulled \d{4}-/);
    expect(lines[0]).toContain('\tpulled -\t');
    expect(
      (await dhub(['tags', 'alice/rel', '--sort', 'name', '--exclude', 't[0-2]'])).stdout,
    ).toBe('t3\nt4\nt5\n');
    expect((await dhub(['tags', 'alice/rel', '--include', '('])).code).toBe(2);
    expect((await dhub(['tags', 'alice/rel', '--sort', 'size'])).code).toBe(2);
  });

  it('plans without --yes (deleting nothing), then deletes exactly the tags the plan selected', async () => {
    const args = [
      'prune',
      'alice/rel',
      '--older-than',
      '30d',
      '--keep-last',
      '2',
      '--exclude',
      't0',
    ];
    const dry = await dhub(args);
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n').map((l) => l.split('\t')[0]?.trim())).toEqual([
      'keep    t5',
      'keep    t4',
      'delete  t3',
      'delete  t2',
      'delete  t1',
      'keep    t0',
      'Dry run: 3 of 6 tags would be deleted; add --yes to delete them.',
      '',
    ]);
    const plan = await json<Plan>(args);
    expect(plan.tags.map((t) => `${t.name}:${t.action}:${t.rule}`)).toEqual([
      't5:keep:keep-last',
      't4:keep:keep-last',
      't3:delete:older-than',
      't2:delete:older-than',
      't1:delete:older-than',
      't0:keep:excluded',
    ]);
    expect((await dhub(['tags', 'alice/rel'])).stdout.trimEnd().split('\n')).toHaveLength(6);

    const done = await json<Plan>([...args, '--yes']);
    expect(done).toMatchObject({ dryRun: false, via: 'hub-api', deleted: ['t3', 't2', 't1'] });
    const kept = plan.tags
      .filter((t) => t.action === 'keep')
      .map((t) => t.name)
      .sort();
    expect((await dhub(['tags', 'alice/rel'])).stdout.trimEnd().split('\n').sort()).toEqual(kept);
  });

  it('refuses a non-numeric --keep-last, a bad duration and no rule with exit 2, deleting nothing', async () => {
    const before = (await dhub(['tags', 'alice/rel'])).stdout;
    const nan = await dhub(['prune', 'alice/rel', '--keep-last', 'ten', '--yes']);
    expect(nan.code).toBe(2);
    expect(nan.stderr).toContain("--keep-last must be a whole number, 0 or more, got 'ten'");
    expect((await dhub(['prune', 'alice/rel', '--older-than', '30 days', '--yes'])).code).toBe(2);
    expect((await dhub(['prune', 'alice/rel', '--yes'])).code).toBe(2);
    expect(
      (await dhub(['prune', 'alice/rel', '--keep-last', '1', '--include', '[', '--yes'])).code,
    ).toBe(2);
    expect((await dhub(['tags', 'alice/rel'])).stdout).toBe(before);
  });
});

describe('dhub prune with a token that may not delete', () => {
  it('fails naming the repo:admin scope and deletes nothing', async () => {
    const before = (await dhub(['tags', 'alice/rel'])).stdout;
    const created = await json<CreatedToken>([
      'token',
      'create',
      '--label',
      'writer',
      '--scope',
      'repo:write',
    ]);
    const writer = await cleanEnv({
      DOCKER_HUB_URL: url,
      DOCKER_REGISTRY_URL: url,
      DOCKER_HUB_USERNAME: 'alice',
      DOCKER_HUB_ACCESS_TOKEN: created.token,
    });
    const r = await dhub(['prune', 'alice/rel', '--keep-last', '0', '--yes'], writer);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(needs an access token with scope repo:admin)');
    expect((await dhub(['tags', 'alice/rel'])).stdout).toBe(before);
    expect((await dhub(['token', 'rm', created.uuid, '--yes'])).code).toBe(0);
  });
});

describe('dhub org', () => {
  it('lists the members and teams of an organisation to a member, and refuses others', async () => {
    expect((await dhub(['org', 'members', 'acme'])).stdout).toBe(
      'alice\tOwner\towners\talice\nbob\tOwner\towners\tbob\n',
    );
    expect((await dhub(['org', 'teams', 'acme'])).stdout).toBe(
      'owners\tmembers 2\tThe owners of acme\n',
    );
    const members = await json<{ username: string }[]>(['org', 'members', 'acme']);
    expect(members.map((m) => m.username)).toEqual(['alice', 'bob']);
    expect((await dhub(['org', 'members', 'acme'], anonymous)).code).toBe(1);
    expect((await dhub(['org', 'members', 'nope'])).code).toBe(1);
    expect((await dhub(['org', 'members', 'Bad!'])).code).toBe(2);
  });
});
