/** The registry whose behaviour the simulator reproduces. @public */
export type ProfileName = 'oci' | 'distribution' | 'dockerhub';

/**
 * Every behaviour in which the profiles differ, one named rule each (issue 12). Handlers read a
 * rule; they never test the profile name. The README has the same table with sources.
 * @public
 */
export interface ProfileRules {
  /** PATCH whose `Content-Range` does not start at the current offset: 416 (spec) or appended with 202 (distribution 2.8). */
  readonly outOfOrderChunk: 'reject-416' | 'append-202';
  /** `POST uploads/?digest=` with a body: stored with 201 (spec), or body dropped and a session opened with 202 (distribution). */
  readonly monolithicPost: 'create-201' | 'session-202';
  /** Tag lists: `n`/`last` with a `Link` header (spec) or parameters ignored (distribution). */
  readonly tagListPaging: 'n-last-link' | 'ignored';
  /** Tag list of a repository that has no tags left: `[]` or `null` (distribution). */
  readonly emptyTagList: 'empty-array' | 'null';
  /** `DELETE manifests/<tag>`: deletes the tag (202), 400 DIGEST_INVALID (distribution) or 405 UNSUPPORTED (Docker Hub). */
  readonly deleteManifestByTag: 'delete-tag-202' | 'digest-invalid-400' | 'unsupported-405';
  /** `DELETE manifests/<digest>`: 202, or 405 UNSUPPORTED (Docker Hub: delete through the Hub API). */
  readonly manifestDelete: 'allowed-202' | 'unsupported-405';
  /** `DELETE blobs/<digest>`: 202, or 405 UNSUPPORTED. */
  readonly blobDelete: 'allowed-202' | 'unsupported-405';
  /** `GET referrers/<digest>` and the `OCI-Subject` header on manifest PUT: supported or absent (text 404). */
  readonly referrersApi: 'supported' | 'absent';
  /** `GET /v2/_catalog`: paged list, or 401 UNAUTHORIZED (Docker Hub has no catalog). */
  readonly catalog: 'paged' | 'unauthorized-401';
  /** Reads of a repository that does not exist: 404, or 401 insufficient_scope (Docker Hub hides existence). */
  readonly missingRepoAnswer: 'not-found-404' | 'unauthorized-401';
  /** OCI manifest asked for with an `Accept` that lacks OCI types: served, or 404 MANIFEST_UNKNOWN (distribution). */
  readonly ociAcceptRequired: boolean;
  /** Invalid repository name or tag in the path: 400 NAME_INVALID / TAG_INVALID, or text 404 (Go router miss). */
  readonly invalidNameAnswer: 'name-invalid-400' | 'text-404';
  /** Manifest body over 4 MiB: 413, or 400 MANIFEST_INVALID "http: request body too large" (distribution). */
  readonly manifestTooLarge: 'payload-too-large-413' | 'manifest-invalid-400';
  /** Upload URLs carry a `_state` that each PATCH replaces; a stale one is 404 BLOB_UPLOAD_INVALID (distribution). */
  readonly uploadStateParam: boolean;
  /** `POST uploads/?mount=<d>` without `from`: mounted when the blob exists (spec MAY) or a session opened (202). */
  readonly mountWithoutFrom: 'mount-201' | 'session-202';
  /** PATCH with a Content-Type other than `application/octet-stream`: accepted, or 500 UNKNOWN (distribution). */
  readonly patchContentType: 'any' | 'octet-stream-only-500';
  /** Manifest with `schemaVersion` other than 2: 400 MANIFEST_INVALID, or 500 UNKNOWN (distribution). */
  readonly badSchemaVersion: 'manifest-invalid-400' | 'unknown-500';
  /** Mount with `from`: pull on the source is checked by the token (401 without it), or optional (202 fallback). */
  readonly mountSourceScope: 'required' | 'optional';
  /** Tag list order: sorted, or the order tags were first pushed (distribution 2.8 answers in storage directory order, unsorted). */
  readonly tagOrder: 'sorted' | 'pushed';
  /** Manifest GET/HEAD of a malformed digest (`sha256:totallywrong`): 404 MANIFEST_UNKNOWN, or 500 UNKNOWN (distribution reads it as a tag path its storage driver rejects). */
  readonly malformedDigestReference: 'manifest-unknown-404' | 'unknown-500';
  /** Pull rate limit headers and 429s on manifest GETs, on by default. */
  readonly rateLimits: boolean;
  /** Token realm and service in Docker Hub's shape (`service="registry.docker.io"`). */
  readonly hubTokenService: boolean;
}

/** The quirk table: one column per profile. @public */
export const PROFILES: Readonly<Record<ProfileName, ProfileRules>> = {
  oci: {
    outOfOrderChunk: 'reject-416',
    monolithicPost: 'create-201',
    tagListPaging: 'n-last-link',
    emptyTagList: 'empty-array',
    deleteManifestByTag: 'delete-tag-202',
    manifestDelete: 'allowed-202',
    blobDelete: 'allowed-202',
    referrersApi: 'supported',
    catalog: 'paged',
    missingRepoAnswer: 'not-found-404',
    ociAcceptRequired: false,
    invalidNameAnswer: 'name-invalid-400',
    manifestTooLarge: 'payload-too-large-413',
    uploadStateParam: false,
    mountWithoutFrom: 'mount-201',
    patchContentType: 'any',
    badSchemaVersion: 'manifest-invalid-400',
    mountSourceScope: 'optional',
    tagOrder: 'sorted',
    malformedDigestReference: 'manifest-unknown-404',
    rateLimits: false,
    hubTokenService: false,
  },
  distribution: {
    outOfOrderChunk: 'append-202',
    monolithicPost: 'session-202',
    tagListPaging: 'ignored',
    emptyTagList: 'null',
    deleteManifestByTag: 'digest-invalid-400',
    manifestDelete: 'allowed-202',
    blobDelete: 'allowed-202',
    referrersApi: 'absent',
    catalog: 'paged',
    missingRepoAnswer: 'not-found-404',
    ociAcceptRequired: true,
    invalidNameAnswer: 'text-404',
    manifestTooLarge: 'manifest-invalid-400',
    uploadStateParam: true,
    mountWithoutFrom: 'session-202',
    patchContentType: 'octet-stream-only-500',
    badSchemaVersion: 'unknown-500',
    mountSourceScope: 'required',
    tagOrder: 'pushed',
    malformedDigestReference: 'unknown-500',
    rateLimits: false,
    hubTokenService: false,
  },
  dockerhub: {
    outOfOrderChunk: 'reject-416',
    monolithicPost: 'session-202',
    tagListPaging: 'n-last-link',
    emptyTagList: 'empty-array',
    deleteManifestByTag: 'unsupported-405',
    manifestDelete: 'unsupported-405',
    blobDelete: 'unsupported-405',
    referrersApi: 'supported',
    catalog: 'unauthorized-401',
    missingRepoAnswer: 'unauthorized-401',
    ociAcceptRequired: false,
    invalidNameAnswer: 'name-invalid-400',
    manifestTooLarge: 'payload-too-large-413',
    uploadStateParam: false,
    mountWithoutFrom: 'session-202',
    patchContentType: 'any',
    badSchemaVersion: 'manifest-invalid-400',
    mountSourceScope: 'required',
    tagOrder: 'sorted',
    malformedDigestReference: 'manifest-unknown-404',
    rateLimits: true,
    hubTokenService: true,
  },
};

/**
 * The rules of a profile, with individual rules overridden.
 * @param name - the profile (default `oci`)
 * @param overrides - rules to change
 * @returns the resolved rules
 * @public
 */
export function resolveProfile(
  name: ProfileName = 'oci',
  overrides: Partial<ProfileRules> = {},
): ProfileRules {
  return { ...PROFILES[name], ...overrides };
}
