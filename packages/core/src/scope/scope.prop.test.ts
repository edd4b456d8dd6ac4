import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/index.js';
import {
  formatScope,
  makeScope,
  mergeScopes,
  parseScopes,
  scopesCover,
  scopeSetKey,
  tryParseScopes,
  type Scope,
} from './scope.js';

// The oracle below is written from the token protocol and the TSDoc, not from scope.ts: a scope
// list is a set of (type, name) resources, each with a set of actions; the canonical action order
// is pull, push, delete, *, then the rest in code-unit order.

interface Entry {
  /** The type as written, possibly with a resource class: `repository(plugin)`. */
  readonly type: string;
  readonly name: string;
  /** The actions as written: duplicates and empty entries allowed. */
  readonly actions: readonly string[];
}

const KNOWN = ['pull', 'push', 'delete', '*'];

function canonicalActions(actions: Iterable<string>): string[] {
  const set = new Set(actions);
  set.delete('');
  const known = KNOWN.filter((a) => set.has(a));
  const others = [...set].filter((a) => !KNOWN.includes(a)).sort();
  return [...known, ...others];
}

/** The expected result of parsing or merging: resources in first-seen order, actions united. */
function oracle(entries: readonly Entry[]): Scope[] {
  const resources: { type: string; name: string; actions: string[] }[] = [];
  for (const e of entries) {
    const paren = e.type.indexOf('(');
    const type = paren === -1 ? e.type : e.type.slice(0, paren);
    const found = resources.find((r) => r.type === type && r.name === e.name);
    if (found === undefined) resources.push({ type, name: e.name, actions: [...e.actions] });
    else found.actions.push(...e.actions);
  }
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    actions: canonicalActions(r.actions),
  }));
}

const lower = (min: number, max: number): fc.Arbitrary<string> =>
  fc.stringMatching(new RegExp(`^[a-z]{${min},${max}}$`));

const type = fc.oneof(
  fc.constantFrom('repository', 'registry', 'repository(plugin)'),
  fc.stringMatching(/^[a-z0-9]{1,8}(\([a-z0-9]{1,6}\))?$/),
);
/** Names as registries spell them, with a `host:port/` prefix now and then (a `:` inside). */
const name = fc
  .tuple(
    fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}(:[0-9]{1,5})?\/$/), { nil: undefined }),
    fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/), { minLength: 1, maxLength: 3 }),
  )
  .map(([host, path]) => `${host ?? ''}${path.join('/')}`);
const action = fc.oneof(fc.constantFrom('pull', 'push', 'delete', '*', ''), lower(1, 6));
const entry: fc.Arbitrary<Entry> = fc.record({
  type,
  name,
  actions: fc.array(action, { minLength: 1, maxLength: 5 }),
});
const space = fc.stringMatching(/^[ \t\n]{1,3}$/);

/** A challenge's scope parameter: the entries joined by random whitespace, some around them. */
function render(entries: readonly Entry[], spaces: readonly string[]): string {
  const parts = entries.map((e) => `${e.type}:${e.name}:${e.actions.join(',')}`);
  return parts.reduce((text, part, i) => `${text}${part}${spaces[i] ?? ' '}`, spaces.at(-1) ?? '');
}

describe('scope properties (against an oracle)', () => {
  it('parses any well-formed list into the resources, merged actions and order the oracle gives', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.array(space, { minLength: 7, maxLength: 7 }),
        (entries, spaces) => {
          const text = render(entries, spaces);
          const parsed = parseScopes(text);
          expect(parsed).toEqual(oracle(entries));
          expect(tryParseScopes(text)).toEqual(parsed);
          // Formatting gives text that parses back to the same scopes.
          expect(parseScopes(parsed.map(formatScope).join(' '))).toEqual(parsed);
        },
      ),
    );
  });

  it('refuses a list with any malformed entry, naming the entry', () => {
    const malformed = fc.oneof(
      lower(1, 10), // no colon
      fc.tuple(type, name).map(([t, n]) => `${t}:${n.replaceAll(':', '')}`), // no actions part
      type.map((t) => `${t}::pull`), // empty name
      name.map((n) => `:${n}:pull`), // empty type
      fc.tuple(fc.stringMatching(/^[A-Z_-]{1,5}$/), name).map(([t, n]) => `${t}:${n}:pull`),
      fc
        .tuple(name, fc.stringMatching(/^[a-z]*[A-Z0-9/-][a-z]*$/))
        .map(([n, a]) => `repository:${n}:pull,${a}`),
    );
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 3 }),
        malformed,
        fc.array(entry, { maxLength: 3 }),
        (before, bad, after) => {
          const text = [...before, ...after]
            .map((e) => `${e.type}:${e.name}:${e.actions.join(',')}`)
            .toSpliced(before.length, 0, bad)
            .join(' ');
          let error: unknown;
          try {
            parseScopes(text);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).code).toBe('INVALID_ARGUMENT');
          expect((error as ValidationError).message).toContain(JSON.stringify(bad));
          expect(tryParseScopes(text)).toEqual([]);
        },
      ),
    );
  });

  it('merges like the oracle, and merging twice changes nothing', () => {
    // Types without a resource class: makeScope keeps a type as given (only parsing drops one).
    const plain = fc.record({
      type: fc.constantFrom('repository', 'registry'),
      name,
      actions: fc.array(action, { maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(plain, { maxLength: 8 }), (entries) => {
        const merged = mergeScopes(entries.map((e) => makeScope(e.type, e.name, e.actions)));
        expect(merged).toEqual(oracle(entries));
        expect(mergeScopes(merged)).toEqual(merged);
      }),
    );
  });
});

/** A small universe, so that granted and needed scopes often name the same resources. */
const smallScope = fc.record({
  type: fc.constantFrom('repository', 'registry'),
  name: fc.constantFrom('a', 'host:5000/a'),
  actions: fc.subarray(['pull', 'push', 'delete', '*', 'other'], { minLength: 1 }),
});

/** Every (type, name, action) a scope list grants; `*` grants every action of its resource. */
function grants(scopes: readonly Scope[], t: string, n: string, a: string): boolean {
  return scopes.some(
    (s) => s.type === t && s.name === n && (s.actions.includes(a) || s.actions.includes('*')),
  );
}

describe('scope coverage and keys (against an oracle)', () => {
  it('granted covers needed exactly when every needed (resource, action) pair is granted, merged or not', () => {
    fc.assert(
      fc.property(
        fc.array(smallScope, { maxLength: 6 }),
        fc.array(smallScope, { maxLength: 3 }),
        fc.boolean(),
        (grantedEntries, needed, merged) => {
          // Granted lists arrive merged (a token's) or as given (a resource may appear twice).
          const granted = merged
            ? oracle(grantedEntries)
            : grantedEntries.map((s) => makeScope(s.type, s.name, s.actions));
          const expected = needed.every((n) =>
            n.actions.every((a) => grants(granted, n.type, n.name, a)),
          );
          expect(scopesCover(granted, needed)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts every granted scope of a resource (the case the property found)', () => {
    const granted = [
      makeScope('repository', 'a', ['pull']),
      makeScope('repository', 'a', ['push']),
    ];
    expect(scopesCover(granted, [makeScope('repository', 'a', ['pull', 'push'])])).toBe(true);
    expect(scopesCover(granted, [makeScope('repository', 'a', ['delete'])])).toBe(false);
  });

  it('two scope lists have the same key exactly when they grant the same resources and actions', () => {
    const canonical = (scopes: readonly Entry[]): string[] =>
      oracle(scopes)
        .map((s) => `${s.type} ${s.name} ${s.actions.join(',')}`)
        .sort();
    fc.assert(
      fc.property(
        fc.array(smallScope, { maxLength: 4 }),
        fc.array(smallScope, { maxLength: 4 }),
        (a, b) => {
          const key = (list: readonly Entry[]): string =>
            scopeSetKey(list.map((s) => makeScope(s.type, s.name, s.actions)));
          expect(key(a) === key(b)).toBe(
            JSON.stringify(canonical(a)) === JSON.stringify(canonical(b)),
          );
          // Any order, split or duplicated, names the same set.
          expect(key([...a].reverse().flatMap((s) => [s, s]))).toBe(key(a));
        },
      ),
    );
  });
});
