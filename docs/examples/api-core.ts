import { Digest, ImageReference, Platform, Secret } from '@llmdevops/docker-hub';

/**
 * The pure building blocks (`@llmdevops/docker-hub-core`, re-exported by the umbrella package):
 * references with Docker Hub normalization, digests, platforms and secrets. No I/O.
 * @returns what each one prints
 */
export function coreBasics(): Record<string, string | boolean> {
  const ref = ImageReference.parse('alpine:3.19');
  const digest = Digest.fromBytes(new TextEncoder().encode('hello'));
  const arm = Platform.parse('linux/arm64/v8');
  const token = new Secret('dckr_pat_not_printed');
  return {
    reference: ref.toString(), // docker.io/library/alpine:3.19
    familiar: ref.familiar(), // alpine:3.19
    registry: ref.registryHost, // registry-1.docker.io
    pinned: ref.withDigest(digest).toString(),
    digestMatches: digest.equals(
      'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    ),
    platform: arm.toString(),
    token: String(token), // [REDACTED]: only token.reveal() gives the value
  };
}
