// Imported by the Rust side (wasm-bindgen copies it into pkg/snippets/) and re-exported by the
// package entry, so `instanceof ColoniesError` holds for every error the client throws.

/**
 * A failed Colonies call: the server's error reply (`reason: "server"`, `status` is its HTTP
 * status) or why no reply came (`"network"`, `"timeout"`, `"aborted"`, `"protocol"`, `"input"`;
 * `status` is 0 then, except 400 for `"input"`).
 */
export class ColoniesError extends Error {
  constructor(status, message, reason) {
    super(message);
    this.name = 'ColoniesError';
    this.status = status;
    this.reason = reason;
  }
}

/** Makes a subscription usable with `for await`. */
export function asyncIterable(subscription) {
  subscription[Symbol.asyncIterator] = function () {
    return this;
  };
  return subscription;
}

// Fields that Go servers write as `null` when empty (nil slices and maps, protocol §2.4), and
// that the declarations promise as arrays / objects. Checked against protocol.d.ts by a test.
const LISTS = new Set([
  'args', 'attributes', 'backends', 'channels', 'children', 'dependencies', 'dirs', 'edges',
  'enum', 'errors', 'executornames', 'fileids', 'functionspecs', 'hardware', 'in', 'network',
  'nodes', 'out', 'parents', 'processids', 'rootprocessids', 'shortNames', 'snapshots', 'software',
]);
const MAPS = new Set(['annotations', 'env', 'kwargs', 'labels', 'projects', 'spec', 'status']);

function revive(key, value) {
  if (value !== null) return value;
  if (LISTS.has(key)) return [];
  if (MAPS.has(key)) return {};
  return value;
}

/** Reads reply JSON; a `null` reply is `[]` when the call returns a list. */
export function parseReply(text, list) {
  const value = JSON.parse(text, revive);
  return value === null && list ? [] : value;
}
