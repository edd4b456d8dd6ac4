/**
 * Runs `fn` over `items` with at most `limit` running at once. After the first failure no new
 * task starts; the first error is thrown once every running task has settled (so nothing is
 * left writing behind the caller's back).
 * @param items - inputs
 * @param limit - concurrency (at least 1)
 * @param fn - the task
 * @returns the results in input order
 * @internal
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const state: { next: number; error: { readonly value: unknown } | undefined } = { next: 0, error: undefined };
  async function worker(): Promise<void> {
    while (state.error === undefined && state.next < items.length) {
      const index = state.next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (err) {
        state.error ??= { value: err };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker()));
  if (state.error !== undefined) throw state.error.value;
  return results;
}
