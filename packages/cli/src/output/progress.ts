import { type Writable } from 'node:stream';
import {
  type RequestEndEvent,
  type RequestStartEvent,
  type TransportEvents,
} from '@llmdevops/docker-hub-transport';

type TransferState = 'active' | 'done' | 'failed';

interface Transfer {
  readonly id: number;
  readonly label: string;
  state: TransferState;
  bytes: number;
}

/** Formats a byte count with binary units (`1.5 MiB`). @internal */
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
 * Progress of a pull, push or copy, built from the client's transport events: one line per blob
 * and manifest request (state and bytes) and a total with the transfer rate. Rendering is a pure
 * function of the state and the clock, so it is testable without a terminal.
 * @internal
 */
export class ProgressModel {
  readonly #transfers = new Map<number, Transfer>();
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
    if (label === undefined) return;
    this.#transfers.set(event.requestId, {
      id: event.requestId,
      label: `${event.method} ${label}`,
      state: 'active',
      bytes: 0,
    });
  }

  /** @param event - a request ended */
  end(event: RequestEndEvent): void {
    const transfer = this.#transfers.get(event.requestId);
    if (transfer === undefined) return;
    transfer.bytes = event.bytes;
    transfer.state =
      event.errorCode === undefined && (event.status ?? 500) < 400 ? 'done' : 'failed';
  }

  /** Counts a retry (any request of the transfer). */
  retry(): void {
    this.#retries += 1;
  }

  /** Bytes received so far. */
  get bytes(): number {
    let total = 0;
    for (const t of this.#transfers.values()) total += t.bytes;
    return total;
  }

  /**
   * The display: a total line, then the active transfers and the last few finished ones.
   * @param maxLines - most transfer lines shown
   * @returns the lines
   */
  render(maxLines = 8): string[] {
    const all = [...this.#transfers.values()];
    const active = all.filter((t) => t.state === 'active');
    const finished = all.filter((t) => t.state !== 'active');
    const seconds = Math.max(0.001, (this.now() - this.#startedAt) / 1000);
    const rate = formatBytes(Math.round(this.bytes / seconds));
    const retries = this.#retries === 0 ? '' : `, ${this.#retries} retries`;
    const head = `${this.title}: ${finished.length} done, ${active.length} active, ${formatBytes(this.bytes)} at ${rate}/s${retries}`;
    const shown = [...active, ...finished.slice(-Math.max(0, maxLines - active.length))].slice(
      0,
      maxLines,
    );
    return [
      head,
      ...shown.map(
        (t) => `  #${t.id} ${t.label.padEnd(15)} ${t.state.padEnd(7)} ${formatBytes(t.bytes)}`,
      ),
    ];
  }
}

/** What {@link startProgress} returns. @internal */
export interface ProgressHandle {
  /** Stops listening and erases the display. */
  stop(): void;
}

/**
 * Shows progress on a terminal: redraws the display in place every 100 ms. Call only when
 * stderr is a TTY and `--quiet` is off; otherwise nothing is shown.
 * @param events - the client's transport events
 * @param out - the terminal stream
 * @param title - first words of the total line
 * @returns a handle to stop it
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
    stop() {
      clearInterval(timer);
      for (const d of disposers) d();
      out.write(erase());
      drawn = 0;
    },
  };
}
