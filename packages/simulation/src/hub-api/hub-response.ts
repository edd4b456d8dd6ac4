/**
 * A Hub API JSON response.
 * @param status - HTTP status
 * @param value - the body
 * @param headers - extra headers
 * @returns the response
 * @internal
 */
export function hubJson(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * A Hub API error in its `error` schema (`errinfo`, `detail`, `message`).
 * @param status - HTTP status
 * @param detail - what went wrong
 * @returns the response
 * @internal
 */
export function hubError(status: number, detail: string): Response {
  return hubJson(status, { errinfo: {}, detail, message: detail });
}

/** Query values the Hub API validates the same way everywhere. @internal */
export interface PageQuery {
  readonly page: number;
  readonly pageSize: number;
}

/**
 * Reads `page` (1-based, default 1) and `page_size` (1..100, default 10).
 * @param url - the request URL
 * @returns the values, or a 400 in the `ValueError` shape
 * @internal
 */
export function readPageQuery(url: URL): PageQuery | Response {
  const page = Number(url.searchParams.get('page') ?? '1');
  const pageSize = Number(url.searchParams.get('page_size') ?? '10');
  if (!Number.isInteger(page) || page < 1) {
    return hubJson(400, {
      fields: { page: ['A valid integer >= 1 is required.'] },
      text: 'Invalid page',
    });
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    return hubJson(400, {
      fields: { page_size: ['Ensure this value is between 1 and 100.'] },
      text: 'Invalid page_size',
    });
  }
  return { page, pageSize };
}

/**
 * Docker Hub paging: `{count, next, previous, results}` with absolute `next`/`previous` URLs, and
 * 404 for a page past the last one.
 * @param items - every result, already ordered
 * @param url - the request URL
 * @param base - public origin for the links
 * @returns the page response
 * @internal
 */
export function hubPage(items: readonly unknown[], url: URL, base: string): Response {
  const q = readPageQuery(url);
  if (q instanceof Response) return q;
  const start = (q.page - 1) * q.pageSize;
  if (q.page > 1 && start >= items.length) return hubError(404, 'Page not found');
  const link = (page: number): string => {
    const next = new URL(url.pathname + url.search, base);
    next.searchParams.set('page', String(page));
    next.searchParams.set('page_size', String(q.pageSize));
    return next.toString();
  };
  return hubJson(200, {
    count: items.length,
    next: start + q.pageSize < items.length ? link(q.page + 1) : null,
    previous: q.page > 1 ? link(q.page - 1) : null,
    results: items.slice(start, start + q.pageSize),
  });
}
