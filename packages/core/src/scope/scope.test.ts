import { ValidationError } from '../errors/index.js';
import { describe, expect, it } from 'vitest';
import {
  catalogScope,
  deleteScope,
  formatScope,
  makeScope,
  mergeScopes,
  mountScopes,
  parseScopes,
  pullScope,
  pushScope,
  scopesCover,
  scopeSetKey,
  tryParseScopes,
} from './scope.js';

describe('scopes', () => {
  it('formats the standard scopes', () => {
    expect(formatScope(pullScope('library/alpine'))).toBe('repository:library/alpine:pull');
    expect(formatScope(pushScope('me/app'))).toBe('repository:me/app:pull,push');
    expect(formatScope(deleteScope('me/app'))).toBe('repository:me/app:delete');
    expect(formatScope(catalogScope())).toBe('registry:catalog:*');
  });

  it('orders and de-duplicates actions', () => {
    expect(
      makeScope('repository', 'a', ['push', 'zz', 'delete', 'pull', 'push', '', 'aa']).actions,
    ).toEqual(['pull', 'push', 'delete', 'aa', 'zz']);
  });

  it('adds the source pull for a mount', () => {
    expect(mountScopes('me/dst', 'other/src').map(formatScope)).toEqual([
      'repository:me/dst:pull,push',
      'repository:other/src:pull',
    ]);
    expect(mountScopes('me/x', 'me/x').map(formatScope)).toEqual(['repository:me/x:pull,push']);
  });

  it('parses space-separated lists, host:port names and resource classes', () => {
    expect(
      parseScopes(
        'repository:localhost:5000/a/b:pull repository(plugin):p/q:pull,push registry:catalog:*',
      ),
    ).toEqual([
      { type: 'repository', name: 'localhost:5000/a/b', actions: ['pull'] },
      { type: 'repository', name: 'p/q', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
  });

  it('merges repeated resources', () => {
    expect(parseScopes('repository:a:pull repository:a:push').map(formatScope)).toEqual([
      'repository:a:pull,push',
    ]);
    expect(
      mergeScopes([pullScope('a'), deleteScope('a'), pullScope('b')]).map(formatScope),
    ).toEqual(['repository:a:pull,delete', 'repository:b:pull']);
  });

  it('puts known actions first and sorts the others', () => {
    expect(makeScope('repository', 'x', ['zeta', 'alpha', '*', 'push', 'beta', 'pull', 'delete', 'alpha', '']).actions).toEqual([
      'pull',
      'push',
      'delete',
      '*',
      'alpha',
      'beta',
      'zeta',
    ]);
    expect(makeScope('repository', 'x', ['b', 'a']).actions).toEqual(['a', 'b']);
    expect(makeScope('repository', 'x', ['a', 'b', 'pull']).actions).toEqual(['pull', 'a', 'b']);
  });

  it.each([':a:pull', 'nocolon', 'repository:a', 'repository::pull', 'Repo:a:pull', 'repository:a:PULL'])(
    'rejects %j',
    (bad) => {
      expect(() => parseScopes(bad)).toThrow(ValidationError);
      expect(tryParseScopes(bad)).toEqual([]);
    },
  );

  it('skips surrounding and repeated spaces', () => {
    expect(parseScopes('  repository:a:pull   repository:b:push ').map(formatScope)).toEqual([
      'repository:a:pull',
      'repository:b:push',
    ]);
    expect(parseScopes('')).toEqual([]);
  });

  it('tryParseScopes handles undefined', () => {
    expect(tryParseScopes(undefined)).toEqual([]);
  });

  it('checks coverage, with * granting everything', () => {
    expect(scopesCover([pushScope('a')], [pullScope('a')])).toBe(true);
    expect(scopesCover([pullScope('a')], [pushScope('a')])).toBe(false);
    expect(scopesCover([makeScope('repository', 'a', ['*'])], [deleteScope('a')])).toBe(true);
    expect(scopesCover([pullScope('a')], [pullScope('b')])).toBe(false);
    expect(scopesCover([], [])).toBe(true);
  });

  it('builds an order-independent key', () => {
    expect(scopeSetKey([pullScope('b'), pushScope('a')])).toBe(
      scopeSetKey([pushScope('a'), pullScope('b')]),
    );
    expect(scopeSetKey([pullScope('a')])).not.toBe(scopeSetKey([pushScope('a')]));
  });
});
