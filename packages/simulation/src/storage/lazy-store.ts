import { type BlobStore } from './blob-store.js';

/**
 * A store that forwards every call to whatever `current()` returns, so the simulator can be built
 * synchronously while a directory store opens in the background.
 * @param current - returns the store to use now
 * @returns the forwarding store
 * @internal
 */
export function forwardingStore(current: () => BlobStore): BlobStore {
  return {
    stat: (d) => current().stat(d),
    read: (d, r) => current().read(d, r),
    readAll: (d) => current().readAll(d),
    putVerified: (d, b) => current().putVerified(d, b),
    delete: (d) => current().delete(d),
    createUpload: (id) => current().createUpload(id),
    uploadState: (id) => current().uploadState(id),
    append: (id, body, signal) => current().append(id, body, signal),
    commit: (id, expected) => current().commit(id, expected),
    cancel: (id) => current().cancel(id),
    saveMeta: (json) => current().saveMeta(json),
    loadMeta: () => current().loadMeta(),
  };
}
