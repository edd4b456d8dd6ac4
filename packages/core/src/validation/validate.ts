import { ValidationError } from '../errors/validation-errors.js';
import { asText, describeChar, firstDisallowed, notString, quote } from './describe.js';
import { pathProblem } from './path-problem.js';
import { TAG_MAX_LENGTH } from './patterns.js';

/** Shortest Docker Hub namespace (Docker ID or organization). @public */
export const NAMESPACE_MIN_LENGTH = 4;
/** Longest Docker Hub namespace (Docker ID or organization). @public */
export const NAMESPACE_MAX_LENGTH = 30;

/**
 * Says what is wrong with a tag, or nothing when it is valid.
 * @param tag - the tag
 * @param offset - index of the tag's first character in the user's input
 * @returns a message, or undefined
 * @internal
 */
export function tagProblem(tag: string, offset = 0): string | undefined {
  const type = notString(tag, 'tag');
  if (type !== undefined) return type;
  if (tag === '') return 'tag is empty';
  if (tag.length > TAG_MAX_LENGTH) {
    return `tag is ${tag.length} characters long; the maximum is ${TAG_MAX_LENGTH}`;
  }
  const bad = firstDisallowed(tag, /^[\w.-]$/);
  if (bad !== undefined) {
    return `invalid character ${describeChar(bad.char)} at index ${offset + bad.index} in tag ${quote(tag)}; allowed are letters, digits, '_', '.' and '-'`;
  }
  if (!/^\w/.test(tag)) {
    return `tag ${quote(tag)} must start with a letter, digit or '_', not ${describeChar(tag.charAt(0))}`;
  }
  return undefined;
}

/**
 * Checks a tag against `[\w][\w.-]{0,127}` (letters, digits, `_`, `.`, `-`; at most 128
 * characters; not starting with `.` or `-`).
 * @param tag - the tag, e.g. `3.19`
 * @throws {@link ValidationError} with code `INVALID_TAG` naming the problem and its index
 * @example
 * ```ts
 * validateTag('v1.0.0'); // ok
 * validateTag('-bad');   // throws INVALID_TAG
 * ```
 * @public
 */
export function validateTag(tag: string): void {
  const problem = tagProblem(tag);
  if (problem !== undefined) throw new ValidationError('INVALID_TAG', problem, asText(tag));
}

/**
 * Checks a repository path (no registry, tag or digest) against distribution's grammar:
 * `/`-separated lowercase components of letters and digits joined by `.`, `_`, `__` or runs of
 * `-`, at most 255 characters in all.
 * @param name - the repository path, e.g. `library/alpine` or `myuser/my-app`
 * @throws {@link ValidationError} with code `INVALID_NAME` naming the problem and its index
 * @public
 */
export function validateRepositoryName(name: string): void {
  const problem = pathProblem(name);
  if (problem !== undefined) {
    const shown = typeof (name as unknown) === 'string' ? `: ${quote(name)}` : '';
    throw new ValidationError('INVALID_NAME', problem + shown, asText(name));
  }
}

/**
 * Checks a Docker Hub namespace (a Docker ID or organization name): 4 to 30 characters, only
 * lowercase letters and digits.
 * @param namespace - e.g. `library` or `myuser`
 * @throws {@link ValidationError} with code `INVALID_NAMESPACE` naming the problem
 * @public
 */
export function validateNamespace(namespace: string): void {
  const problem = namespaceProblem(namespace);
  if (problem !== undefined) {
    throw new ValidationError('INVALID_NAMESPACE', problem, asText(namespace));
  }
}

function namespaceProblem(namespace: string): string | undefined {
  const type = notString(namespace, 'namespace');
  if (type !== undefined) return type;
  if (namespace === '') return 'namespace is empty';
  const bad = firstDisallowed(namespace, /^[a-z0-9]$/);
  if (bad !== undefined) {
    const kind = /^[A-Z]$/.test(bad.char) ? 'must be lowercase; found' : 'has an invalid character';
    return `namespace ${quote(namespace)} ${kind} ${describeChar(bad.char)} at index ${bad.index}; Docker Hub namespaces contain only lowercase letters and digits`;
  }
  if (namespace.length < NAMESPACE_MIN_LENGTH || namespace.length > NAMESPACE_MAX_LENGTH) {
    return `namespace ${quote(namespace)} is ${namespace.length} characters long; Docker Hub namespaces have ${NAMESPACE_MIN_LENGTH} to ${NAMESPACE_MAX_LENGTH} characters`;
  }
  return undefined;
}

/**
 * Whether a tag is valid (see {@link validateTag}).
 * @param tag - the tag
 * @returns true when valid
 * @public
 */
export function isValidTag(tag: string): boolean {
  return tagProblem(tag) === undefined;
}

/**
 * Whether a repository path is valid (see {@link validateRepositoryName}).
 * @param name - the repository path
 * @returns true when valid
 * @public
 */
export function isValidRepositoryName(name: string): boolean {
  return pathProblem(name) === undefined;
}

/**
 * Whether a Docker Hub namespace is valid (see {@link validateNamespace}).
 * @param namespace - the namespace
 * @returns true when valid
 * @public
 */
export function isValidNamespace(namespace: string): boolean {
  return namespaceProblem(namespace) === undefined;
}
