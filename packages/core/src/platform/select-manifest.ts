import { PlatformNotFoundError } from '../errors/validation-errors.js';
import { type Descriptor, type ImageIndex, type PlatformObject } from '../manifest/schemas.js';
import { Platform } from './platform.js';

/** Annotation BuildKit puts on attestation entries of an index. @public */
export const ATTESTATION_REFERENCE_TYPE = 'vnd.docker.reference.type';

/**
 * Whether an index entry is an attestation (BuildKit SBOM/provenance), not a runnable image:
 * its platform is `unknown/unknown` or it is annotated `vnd.docker.reference.type:
 * attestation-manifest`.
 * @param descriptor - an index entry
 * @returns true for attestation entries
 * @public
 */
export function isAttestation(descriptor: Descriptor): boolean {
  const { platform, annotations } = descriptor;
  if (platform?.os === 'unknown' && platform.architecture === 'unknown') return true;
  return annotations?.[ATTESTATION_REFERENCE_TYPE] === 'attestation-manifest';
}

/**
 * The runnable platforms an index offers, in index order (attestations and entries without a
 * platform left out).
 * @param index - an OCI image index or Docker manifest list
 * @returns the platforms
 * @public
 */
export function listPlatforms(index: ImageIndex): Platform[] {
  const platforms: Platform[] = [];
  for (const entry of index.manifests) {
    if (entry.platform === undefined || isAttestation(entry)) continue;
    const platform = tryPlatform(entry.platform);
    if (platform !== undefined) platforms.push(platform);
  }
  return platforms;
}

/**
 * The first index entry that matches a platform (the spec's first-match rule), skipping
 * attestations.
 * @param index - an OCI image index or Docker manifest list
 * @param platform - the wanted platform, or its string form such as `linux/arm64`
 * @returns the matching descriptor
 * @throws {@link PlatformNotFoundError} listing the available platforms when none matches
 * @throws {@link ValidationError} (`INVALID_PLATFORM`) when `platform` is an invalid string
 * @example
 * ```ts
 * const entry = selectManifest(parsed.manifest, 'linux/arm64');
 * ```
 * @public
 */
export function selectManifest(index: ImageIndex, platform: Platform | string): Descriptor {
  const wanted = typeof platform === 'string' ? Platform.parse(platform) : platform;
  const found = index.manifests.find(
    (entry) => !isAttestation(entry) && wanted.matches(entry.platform),
  );
  if (found !== undefined) return found;
  throw new PlatformNotFoundError(
    wanted.toString(),
    listPlatforms(index).map((p) => p.toString()),
  );
}

function tryPlatform(platform: PlatformObject): Platform | undefined {
  try {
    return Platform.fromObject(platform);
  } catch {
    return undefined;
  }
}
