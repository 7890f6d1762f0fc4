import type { Client, Process, JsonValue, ColoniesFunction } from './colonies_edge.js';

/** Exponential backoff with jitter between failed attempts. */
export interface BackoffOptions {
  /** First delay, ms (default 500). */
  initialMs?: number;
  /** Longest delay, ms (default 30000). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
}

/** What an executor reports while it runs. */
export type ExecutorEvent =
  | { type: 'waiting' }
  | { type: 'assigned'; process: Process }
  | { type: 'progress'; process: Process; value: unknown }
  | { type: 'succeeded'; process: Process; output: JsonValue[] }
  | { type: 'failed'; process: Process; error: unknown }
  | { type: 'error'; error: unknown; retryInMs?: number; process?: Process }
  | { type: 'stopped' };

export interface ExecutorOptions {
  /** The colony to take work from. */
  colonyname: string;
  /** Seconds each assign long-polls (default 10). */
  assignTimeout?: number;
  /** CPU this executor offers, e.g. "4000m" (default: unlimited). */
  availablecpu?: string;
  /** Memory this executor offers, e.g. "8Gi" (default: unlimited). */
  availablemem?: string;
  /** Attempts to report an outcome when the server cannot be reached (default 5). */
  closeAttempts?: number;
  /** Delays after failed assigns and reports. */
  backoff?: BackoffOptions;
  /** Called for every event; exceptions it throws are ignored. */
  onEvent?: (event: ExecutorEvent) => void;
}

/** What a handler gets besides the process. */
export interface HandlerContext {
  /** The executor's client. */
  client: Client;
  /** Aborted when the executor stops. */
  signal: AbortSignal;
  /** Reports progress to `onEvent` as `{ type: "progress", value }`. */
  progress(value: unknown): void;
  /** Appends a line to the process's log (`addlogmsg`). */
  log(message: string): Promise<void>;
}

/**
 * Runs one function. Its result becomes the process output (an array as is, `undefined` as
 * `[]`, anything else as `[result]`); throwing closes the process as failed with the message.
 */
export type FunctionHandler = (process: Process, context: HandlerContext) => unknown | Promise<unknown>;

/**
 * An executor loop: assign → handler → closeSuccessful / closeFailed, with retry and
 * backoff, until `stop()`. The client must sign with the executor's registered, approved key.
 */
export declare class Executor {
  constructor(client: Client, options: ExecutorOptions);
  /** Runs `handler` for processes whose `spec.funcname` is `funcname`. */
  register(funcname: string, handler: FunctionHandler): this;
  /** The function names with a handler. */
  readonly functions: string[];
  /** Whether the loop runs. */
  readonly running: boolean;
  /** Announces every registered function to the colony (`addfunctionmsg`). */
  registerFunctions(executor: { executorname: string; executortype: string }): Promise<ColoniesFunction[]>;
  /** Starts the loop; settles when it has stopped. */
  start(): Promise<void>;
  /** Aborts the waiting assign and the handler's signal; resolves when the loop has stopped. */
  stop(): Promise<void>;
}
