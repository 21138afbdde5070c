// The field app's outbox: actions kept in IndexedDB and sent in order, each exactly once.
import { ApiError, api } from "./common.js";

const DB_NAME = "streetrelief-field";
const STORE = "outbox";

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result.result ?? result);
    tx.onerror = () => reject(tx.error);
  });
}

/** Actions still waiting, oldest first. */
export function pending() {
  return withStore("readonly", (store) => store.getAll());
}

/**
 * Keep an API call to be sent: `{method, path, body}`. It gets an idempotency key now, so that
 * a resend after a lost answer is recognised by the server and recorded once.
 */
export function enqueue(action) {
  return withStore("readwrite", (store) => store.add({ ...action, key: crypto.randomUUID(), queuedAt: new Date().toISOString() }));
}

function remove(seq) {
  return withStore("readwrite", (store) => store.delete(seq));
}

let flushing = null;

/**
 * Send the waiting actions in order. Stops at the first one that cannot be sent now (no
 * network, server unavailable) and keeps it and the rest; an action the server refuses for good
 * (4xx) is dropped and reported through `onRejected(action, error)`.
 * Resolves to the number still waiting.
 */
export function flush(onRejected) {
  flushing ??= (async () => {
    try {
      for (const action of await pending()) {
        try {
          await api(action.path, { method: action.method, body: action.body, headers: { "Idempotency-Key": action.key } });
        } catch (error) {
          const permanent = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 408 && error.status !== 429;
          if (!permanent) break;
          if (!isAlreadyDone(action, error)) onRejected(action, error);
        }
        await remove(action.seq);
      }
      return (await pending()).length;
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

/** A status change whose answer was lost and whose resend finds the incident already there. */
function isAlreadyDone(action, error) {
  return error.status === 409 && action.body?.to !== undefined && error.body?.current === action.body.to;
}
