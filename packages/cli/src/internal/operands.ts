import { ImageReference, validateTag } from '@llmdevops/docker-hub-core';
import { parseOperand, positional, usageError, type CommandInput } from '../command.js';

/**
 * The n-th positional as an image reference (Docker Hub when it names no registry).
 * @param input - the parsed command line
 * @param index - position
 * @param label - name in messages, e.g. `REF`
 * @returns the reference
 * @throws UsageError when it does not parse
 * @internal
 */
export function referenceOperand(
  input: CommandInput,
  index: number,
  label: string,
): ImageReference {
  const text = positional(input, index);
  return parseOperand(input, label, () => ImageReference.parse(text));
}

/**
 * A repository operand (`REPO`): a reference without tag or digest.
 * @param input - the parsed command line
 * @param index - position
 * @returns the reference (its tag is irrelevant)
 * @throws UsageError when it has a digest or does not parse
 * @internal
 */
export function repositoryOperand(input: CommandInput, index: number): ImageReference {
  const text = positional(input, index);
  const ref = parseOperand(input, 'REPO', () => ImageReference.parse(text));
  if (ref.digest !== undefined) throw usageError(input, `REPO must not name a digest: ${text}`);
  return ref;
}

/**
 * A tag operand.
 * @param input - the parsed command line
 * @param index - position
 * @returns the tag
 * @throws UsageError when it is not a valid tag
 * @internal
 */
export function tagOperand(input: CommandInput, index: number): string {
  const text = positional(input, index);
  parseOperand(input, 'NEWTAG', () => {
    validateTag(text);
  });
  return text;
}
