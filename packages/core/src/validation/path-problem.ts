import { describeChar, firstDisallowed, notString } from './describe.js';
import { PATH_COMPONENT_RE, REPOSITORY_MAX_LENGTH } from './patterns.js';

const PATH_CHAR = /^[a-z0-9._/-]$/;
const UPPER = /^[A-Z]$/;
const SEPARATOR_RUN = /[._-]+/g;
const VALID_SEPARATOR = /^(?:[._]|__|-+)$/;

/**
 * Says what is wrong with a repository path (`library/alpine`), or nothing when it is valid.
 * Indexes in the message are counted from the start of the user's input (`offset` is where the
 * path starts in it).
 * @param path - the repository path, without domain, tag or digest
 * @param offset - index of the path's first character in the user's input
 * @returns a message naming the problem and its index, or undefined when the path is valid
 * @internal
 */
export function pathProblem(path: string, offset = 0): string | undefined {
  const type = notString(path, 'repository name');
  if (type !== undefined) return type;
  if (path === '') return 'repository name is empty';
  const bad = firstDisallowed(path, PATH_CHAR);
  if (bad !== undefined) {
    const at = offset + bad.index;
    return UPPER.test(bad.char)
      ? `repository name must be lowercase (upper-case ${describeChar(bad.char)} at index ${at})`
      : `invalid character ${describeChar(bad.char)} at index ${at} in the repository name`;
  }
  if (path.length > REPOSITORY_MAX_LENGTH) {
    return `repository name is ${path.length} characters long; the maximum is ${REPOSITORY_MAX_LENGTH}`;
  }
  let start = 0;
  for (const component of path.split('/')) {
    const problem = componentProblem(component, offset + start);
    if (problem !== undefined) return problem;
    start += component.length + 1;
  }
  return undefined;
}

/** Explains why one path component (only `[a-z0-9._-]` characters) is invalid. */
function componentProblem(component: string, at: number): string | undefined {
  if (PATH_COMPONENT_RE.test(component)) return undefined;
  if (component === '')
    return `empty path component at index ${at} (leading, trailing or double '/')`;
  if (!/^[a-z0-9]/.test(component)) {
    return `path component "${component}" at index ${at} must start with a lowercase letter or digit`;
  }
  for (const run of component.matchAll(SEPARATOR_RUN)) {
    if (!VALID_SEPARATOR.test(run[0])) {
      return `invalid separator "${run[0]}" at index ${at + run.index} in path component "${component}"; use '.', '_', '__' or one or more '-'`;
    }
  }
  return `path component "${component}" at index ${at} must end with a lowercase letter or digit`;
}
