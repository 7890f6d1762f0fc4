// TypeScript declarations of colonies-edge that are not protocol types: JSON helpers, the
// client's options, subscriptions and error reasons. The models and messages are generated
// from colonies-core into protocol.d.ts (see there); typescript.rs includes both files.

/** Any JSON value (function arguments, outputs, kwargs). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };
/** A model as a request carries it: every field may be left out and takes its zero value. */
export type Input<T> = T extends (infer E)[]
  ? Input<E>[]
  : T extends Record<string, JsonValue>
    ? T
    : T extends object
      ? { [K in keyof T]?: Input<T[K]> }
      : T;
/** Why a call failed: `server` (an error reply) or why no reply came. */
export type ColoniesErrorReason = 'server' | 'network' | 'timeout' | 'aborted' | 'protocol' | 'input';

/** How to reach a server. */
export interface ClientOptions {
  /** The server's base URL, `http(s)://host:port` (the client adds `/api` and `/pubsub`). */
  url: string;
  /** The signing key: 64 hex characters or a PrivateKey. Needed for all but `version`/`getServerInfo`. */
  privateKey?: string | PrivateKey;
  /** Milliseconds to wait for a reply (default 30000); `assign` adds its long-poll `timeout`. */
  timeoutMs?: number;
  /** The WebSocket class for subscriptions (default `globalThis.WebSocket`; on Node 20 pass `ws`'s, or run with `--experimental-websocket`). */
  WebSocket?: new (url: string) => WebSocket;
  /**
   * Replay protection (default `true`): every signed request carries a fresh `nonce`, `signedat`
   * (Unix ms) and `audience` (the server's ID, asked once from `getServerInfo`), so a captured
   * copy is refused. A server that tells no `serverid` (a Go server) gets unbound requests.
   * `false` sends requests as the Go client does, without the three fields.
   */
  replayBinding?: boolean;
}

/** Per-call options of every method. */
export interface CallOptions {
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Aborts the call (the promise rejects with `reason: "aborted"`). */
  signal?: AbortSignal;
}

/** `for await (const process of subscription)`. */
export interface ProcessSubscription {
  [Symbol.asyncIterator](): ProcessSubscription;
}

/** A channel subscription: each step is one frame's batch of entries; `[]` ends it. */
export interface ChannelSubscription extends AsyncIterableIterator<MsgEntry[]> {
  /** Closes the socket; the iteration ends. */
  close(): void;
}
