import { signPayload } from '@llmdevops/docker-hub-webhooks';
import { type WebhookTarget } from '../simulator/options.js';

/** One delivery attempt, for tests to inspect. @public */
export interface WebhookDelivery {
  readonly url: string;
  readonly attempt: number;
  /** HTTP status, or 0 when the request failed. */
  readonly status: number;
  readonly ok: boolean;
}

/**
 * Sends push payloads to configured webhooks, retrying failures with a short backoff.
 * @internal
 */
export class WebhookEmitter {
  /** Every attempt so far. */
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly targets: readonly WebhookTarget[],
    private readonly attempts: number,
  ) {}

  /**
   * Queues deliveries of one payload to every matching target.
   * @param repository - `namespace/name`
   * @param payload - the push payload
   */
  emit(repository: string, payload: Record<string, unknown>): void {
    const body = JSON.stringify(payload);
    for (const target of this.targets) {
      const r = target.repository;
      if (typeof r === 'string' ? r !== repository : !r.test(repository)) continue;
      const p = this.deliver(target, body).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** Resolves when every queued delivery has finished (succeeded or given up). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliver(target: WebhookTarget, body: string): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'docker-hub-simulation',
    };
    if (target.secret !== undefined)
      headers['x-hub-signature-256'] = signPayload(target.secret, body);
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let status = 0;
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      const ok = status >= 200 && status < 300;
      this.deliveries.push({ url: target.url, attempt, status, ok });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50 * 2 ** (attempt - 1)));
    }
  }
}
