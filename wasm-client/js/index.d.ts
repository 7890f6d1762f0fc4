// Declarations of the package entry: the generated ones (keys, Client, models, messages) plus
// the JavaScript parts (ColoniesError, Executor, state constants).
export * from './colonies_edge.js';
export { default } from './colonies_edge.js';
export { Executor } from './executor.js';
export type {
  ExecutorOptions,
  ExecutorEvent,
  FunctionHandler,
  HandlerContext,
  BackoffOptions,
} from './executor.js';
import type { ColoniesErrorReason } from './colonies_edge.js';

/**
 * What every failing promise of the package rejects with: the server's error reply
 * (`reason: "server"`, `status` = its HTTP status) or why no reply came (`status` 0, or 400
 * for `"input"`).
 */
export declare class ColoniesError extends Error {
  constructor(status: number, message: string, reason: ColoniesErrorReason);
  readonly name: 'ColoniesError';
  readonly status: number;
  readonly reason: ColoniesErrorReason;
}

/** Process (and process graph) states (§5.5). */
export declare const ProcessState: Readonly<{ Waiting: 0; Running: 1; Success: 2; Failed: 3; Cancelled: 4 }>;
/** Executor states (§5.3). */
export declare const ExecutorState: Readonly<{ Pending: 0; Approved: 1; Rejected: 2; Unregistered: 3 }>;
/** Attribute types (§5.7). */
export declare const AttributeType: Readonly<{ In: 0; Out: 1; Err: 2; Env: 3 }>;
