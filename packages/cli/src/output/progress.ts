import type { Writable } from 'node:stream';
import type { BlobProgress } from '@llmdevops/docker-hub-services';
import type { RequestEndEvent, RequestStartEvent, TransportEvents } from '@llmdevops/docker-hub-transport';

/**
 * Formats a byte count with binary units (`1.5 MiB`).
 * @param bytes - the count
 * @returns the text
 * @internal
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

const LABELS: Readonly<Record<string, string>> = {
  blobs: 'blob',
  'blobs.uploads': 'upload',
  manifests: 'manifest',
};

/**
 * Progress of a pull, push or copy: blobs finished (from the library's `onBlob`, with digest,
 * size and whether it moved or was already there), requests in flight (from the transport's
 * events), bytes and rate. Rendering is a pure function of the state and the clock.
 * @internal
 */
export class ProgressModel {
  readonly #active = new Map<number, string>();
  readonly #blobs: BlobProgress[] = [];
  readonly #startedAt: number;
  #retries = 0;

  /**
   * @param title - e.g. `pull docker.io/library/alpine:3.19`
   * @param now - clock in ms
   */
  constructor(
    private readonly title: string,
    private readonly now: () => number,
  ) {
    this.#startedAt = now();
  }

  /** @param event - a request started */
  start(event: RequestStartEvent): void {
    const label = event.operation === undefined ? undefined : LABELS[event.operation];
    if (label !== undefined) this.#active.set(event.requestId, `${event.method} ${label}`);
  }

  /** @param event - a request ended */
  end(event: RequestEndEvent): void {
    this.#active.delete(event.requestId);
  }

  /** Counts a retry (any request of the transfer). */
  retry(): void {
    this.#retries += 1;
  }

  /** @param progress - a blob finished */
  blob(progress: BlobProgress): void {
    this.#blobs.push(progress);
  }

  /** Bytes of the blobs moved so far. */
  get bytes(): number {
    return this.#blobs.reduce((n, b) => n + (b.state === 'transferred' ? b.size : 0), 0);
  }

  /**
   * The display: a total line, the requests in flight, then the last finished blobs.
   * @param maxLines - most detail lines shown
   * @returns the lines
   */
  render(maxLines = 8): string[] {
    const seconds = Math.max(0.001, (this.now() - this.#startedAt) / 1000);
    const rate = formatBytes(Math.round(this.bytes / seconds));
    const skipped = this.#blobs.filter((b) => b.state === 'skipped').length;
    const retries = this.#retries === 0 ? '' : `, ${this.#retries} retries`;
    const head =
      `${this.title}: ${this.#blobs.length} blobs done (${skipped} already there), ` +
      `${this.#active.size} requests active, ${formatBytes(this.bytes)} at ${rate}/s${retries}`;
    const active = [...this.#active.entries()].map(
      ([id, label]) => `  #${id} ${label.padEnd(15)} in progress`,
    );
    const done = this.#blobs.map(
      (b) =>
        `  ${b.digest.slice(0, 19)}  ${b.state === 'transferred' ? 'done   ' : 'skipped'}  ${formatBytes(b.size)}`,
    );
    const room = Math.max(0, maxLines - active.length);
    return [head, ...active.slice(0, maxLines), ...(room === 0 ? [] : done.slice(-room))];
  }
}

/** What {@link startProgress} returns. @internal */
export interface ProgressHandle {
  /** Feed for the library's `onBlob` option. */
  readonly onBlob: (progress: BlobProgress) => void;
  /** Stops listening and erases the display. */
  stop(): void;
}

/**
 * Shows progress on a terminal: redraws the display in place every 100 ms. Call only when
 * stderr is a TTY and `--quiet` is off; otherwise nothing is shown.
 * @param events - the client's transport events
 * @param out - the terminal stream
 * @param title - first words of the total line
 * @returns a handle with the `onBlob` feed and `stop`
 * @internal
 */
export function startProgress(
  events: TransportEvents,
  out: Writable,
  title: string,
): ProgressHandle {
  const model = new ProgressModel(title, () => Date.now());
  const disposers = [
    events.on('requestStart', (e) => {
      model.start(e);
    }),
    events.on('requestEnd', (e) => {
      model.end(e);
    }),
    events.on('retry', () => {
      model.retry();
    }),
  ];
  let drawn = 0;
  const erase = (): string => (drawn === 0 ? '' : `\x1b[${drawn}A\x1b[J`);
  const draw = (): void => {
    const lines = model.render();
    out.write(`${erase()}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    onBlob: (progress) => {
      model.blob(progress);
    },
    stop() {
      clearInterval(timer);
      for (const d of disposers) d();
      out.write(erase());
      drawn = 0;
    },
  };
}
