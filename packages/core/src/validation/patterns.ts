// Regex building blocks of distribution/reference (regexp.go), written for JavaScript.
// `\w` in JavaScript is `[A-Za-z0-9_]`, the same class as in Go's RE2.

/** One domain label: alphanumerics with inner hyphens. */
const DOMAIN_COMPONENT = String.raw`(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`;
/** A host name, or an IPv6 address in brackets, with an optional numeric port. */
const DOMAIN_AND_PORT = String.raw`(?:${DOMAIN_COMPONENT}(?:\.${DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?`;
/** Separators allowed inside a path component: `.`, `_`, `__` or one or more `-`. */
const SEPARATOR = String.raw`(?:[._]|__|[-]+)`;
/** One path component such as `library` or `my-app`. */
const PATH_COMPONENT = String.raw`[a-z0-9]+(?:${SEPARATOR}[a-z0-9]+)*`;

/** Anchored registry domain (host, IPv4, `[IPv6]`, optional port). @internal */
export const DOMAIN_RE = new RegExp(`^${DOMAIN_AND_PORT}$`);
/** Anchored path component. @internal */
export const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`);
/** A bare 64-hex identifier, which distribution refuses as a name. @internal */
export const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Longest repository path distribution accepts (domain excluded, as in reference v0.6.0). */
export const REPOSITORY_MAX_LENGTH = 255;
/** Longest tag (1 + 127 characters). */
export const TAG_MAX_LENGTH = 128;
