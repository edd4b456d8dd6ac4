/**
 * Grammars the payload fields must follow before anything downstream (a listener, a `confirm`
 * HEAD request) sees them. They follow distribution's reference grammar (registry-api.md 6.2).
 */

/** A tag: `[\w][\w.-]{0,127}`. @internal */
export const TAG_PATTERN = /^\w[\w.-]{0,127}$/;

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';

/** A repository path such as `library/alpine` or `team/app/api` (no registry host). @internal */
export const REPOSITORY_PATTERN = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** Longest repository path distribution accepts. @internal */
export const REPOSITORY_MAX_LENGTH = 255;

/** A digest `algorithm:encoded` as in the OCI descriptor spec. @internal */
export const DIGEST_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Longest digest accepted (sha512 hex is 135 characters). @internal */
export const DIGEST_MAX_LENGTH = 256;
