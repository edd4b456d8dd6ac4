import { inspectDigest } from '../digest/digest.js';
import { describeChar, firstDisallowed } from '../validation/describe.js';
import { pathProblem } from '../validation/path-problem.js';
import { DOMAIN_RE, IDENTIFIER_RE, REPOSITORY_MAX_LENGTH } from '../validation/patterns.js';
import { tagProblem } from '../validation/validate.js';

/** Docker Hub's domain in references. @internal */
export const DOCKER_HUB_DOMAIN = 'docker.io';
/** The legacy Hub domain, normalized to `docker.io`. @internal */
export const LEGACY_DOCKER_HUB_DOMAIN = 'index.docker.io';
/** Prefix of official images on Docker Hub. @internal */
export const OFFICIAL_PREFIX = 'library/';
/** Tag implied when a reference has neither tag nor digest. @internal */
export const DEFAULT_TAG = 'latest';

/** The normalized parts of a reference. @internal */
export interface ReferenceParts {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const REFERENCE_CHAR = /^[A-Za-z0-9._\-/:@[\]]$/;

/**
 * Whether the first `/`-separated component of a name is a registry domain (distribution's
 * `splitDockerDomain`): it is `localhost`, contains `.` or `:`, or has an upper-case letter.
 * @param component - the text before the first `/`
 * @returns true when it names a registry
 * @internal
 */
export function looksLikeDomain(component: string): boolean {
  return (
    component === 'localhost' || /[.:]/.test(component) || component !== component.toLowerCase()
  );
}

/**
 * Explains why a registry domain is invalid, or nothing when it is valid.
 * @param domain - e.g. `localhost:5000` or `[::1]:5000`
 * @returns a message, or undefined
 * @internal
 */
export function domainProblem(domain: string): string | undefined {
  if (DOMAIN_RE.test(domain)) return undefined;
  const port = /^(.*?):([^:\]]*)$/.exec(domain);
  if (port?.[2] !== undefined && !/^[0-9]+$/.test(port[2])) {
    return `registry "${domain}" has an invalid port "${port[2]}" (digits only)`;
  }
  if (domain.startsWith('[')) {
    return `registry "${domain}" is not a valid [IPv6] address (hex digits and ':' in brackets, no zone)`;
  }
  return `registry "${domain}" is not a valid host name: labels are letters, digits and inner '-', separated by '.'`;
}

/**
 * Parses a reference into normalized parts, or returns a message saying what is wrong and where.
 * Follows distribution/reference's `ParseNormalizedNamed` exactly, except that digests are
 * limited to sha256 and sha512.
 * @param text - the reference as typed
 * @returns the parts, or a message
 * @internal
 */
export function splitReference(text: string): ReferenceParts | string {
  if (text === '') return 'reference is empty';
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (scheme !== null) return `a reference has no URL scheme; remove "${scheme[0]}"`;
  const bad = firstDisallowed(text, REFERENCE_CHAR);
  if (bad !== undefined) return `invalid character ${describeChar(bad.char)} at index ${bad.index}`;
  if (IDENTIFIER_RE.test(text)) {
    return 'a 64-character hexadecimal string is an image ID, not a repository name';
  }
  const at = text.indexOf('@');
  let digest: string | undefined;
  let rest = text;
  if (at !== -1) {
    const digestText = text.slice(at + 1);
    const second = digestText.indexOf('@');
    if (second !== -1) return `unexpected second '@' at index ${at + 1 + second}`;
    const parsed = parseDigest(digestText, at + 1);
    if (parsed.problem !== undefined) return parsed.problem;
    digest = parsed.digest;
    rest = text.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  let name = rest;
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    const problem = tagProblem(tag, colon + 1);
    if (problem !== undefined) return problem;
    name = rest.slice(0, colon);
  }
  const parts = splitName(name);
  if (typeof parts === 'string') return parts;
  return { ...parts, tag: tag ?? (digest === undefined ? DEFAULT_TAG : undefined), digest };
}

function parseDigest(
  text: string,
  offset: number,
): { digest: string; problem?: never } | { problem: string } {
  if (text === '') return { problem: `digest after '@' at index ${offset - 1} is empty` };
  const result = inspectDigest(text);
  if (typeof result === 'string')
    return { problem: `invalid digest at index ${offset}: ${result}` };
  return { digest: `${result.algorithm}:${result.encoded}` };
}

/** Splits `[domain/]path` with Docker Hub normalization and validates both parts. */
function splitName(name: string): { registry: string; repository: string } | string {
  if (name === '') return 'repository name is missing';
  const slash = name.indexOf('/');
  let registry = DOCKER_HUB_DOMAIN;
  let path = name;
  let offset = 0;
  if (slash !== -1 && looksLikeDomain(name.slice(0, slash))) {
    registry = name.slice(0, slash);
    path = name.slice(slash + 1);
    offset = slash + 1;
    const problem = domainProblem(registry);
    if (problem !== undefined) return problem;
    if (registry === LEGACY_DOCKER_HUB_DOMAIN) registry = DOCKER_HUB_DOMAIN;
  }
  const problem = pathProblem(path, offset);
  if (problem !== undefined) return problem;
  const repository = normalizeRepository(registry, path);
  if (repository.length > REPOSITORY_MAX_LENGTH) {
    return `repository name is ${repository.length} characters long; the maximum is ${REPOSITORY_MAX_LENGTH}`;
  }
  return { registry, repository };
}

/**
 * Adds `library/` to single-component Docker Hub names (`alpine` -> `library/alpine`).
 * @param registry - the normalized registry
 * @param path - the repository path
 * @returns the normalized repository path
 * @internal
 */
export function normalizeRepository(registry: string, path: string): string {
  return registry === DOCKER_HUB_DOMAIN && !path.includes('/') ? OFFICIAL_PREFIX + path : path;
}
