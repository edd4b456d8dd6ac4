import { NetworkError } from '@llmdevops/docker-hub-core';

/**
 * The store of a shared pull budget (Redis, a file) failed or cannot be reached: a
 * `NetworkError` with `causeCode` `BUDGET_STORE_UNAVAILABLE`, whose message names the store and
 * its address (never a password). Not retryable by the transport: repeating the registry request
 * cannot mend the store, so the failure is reported at once (or the budget falls back to a local
 * one with `fallback: 'local'`).
 * @public
 */
export class BudgetStoreError extends NetworkError {
  /**
   * @param message - what failed, naming the store and its address
   * @param cause - the underlying error
   */
  constructor(message: string, cause: unknown) {
    super(message, { cause, causeCode: 'BUDGET_STORE_UNAVAILABLE' });
    (this as { retryable: boolean }).retryable = false;
  }
}
