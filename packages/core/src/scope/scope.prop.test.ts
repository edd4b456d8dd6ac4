import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatScope, makeScope, mergeScopes, parseScopes, scopesCover } from './scope.js';

const name = fc.stringMatching(/^([a-z0-9]+(:[0-9]{1,5})?\/)?[a-z0-9]+(\/[a-z0-9._-]+){0,2}$/);
const actions = fc.subarray(['pull', 'push', 'delete'], { minLength: 1 });
const scope = fc.tuple(name, actions).map(([n, a]) => makeScope('repository', n, a));

describe('scope properties', () => {
  it('parse(format(s)) == s', () => {
    fc.assert(
      fc.property(fc.array(scope, { minLength: 1, maxLength: 4 }), (scopes) => {
        const merged = mergeScopes(scopes);
        expect(parseScopes(merged.map(formatScope).join(' '))).toEqual(merged);
      }),
    );
  });

  it('merge is idempotent and covers its inputs', () => {
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 5 }), (scopes) => {
        const merged = mergeScopes(scopes);
        expect(mergeScopes(merged)).toEqual(merged);
        expect(scopesCover(merged, scopes)).toBe(true);
      }),
    );
  });
});
