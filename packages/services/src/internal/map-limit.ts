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
  let next = 0;
  let failed = false;
  let firstError: unknown;
  async function worker(): Promise<void> {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker()));
  if (failed) throw firstError;
  return results;
}
