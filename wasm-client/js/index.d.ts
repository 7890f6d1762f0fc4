// Declarations of the package entry: the generated ones (keys, Client, models, messages) plus
// the JavaScript parts (ColoniesError, Executor, state constants).
export * from './colonies_edge.js';
export { default } from './colonies_edge.js';
export { Executor } from './executor.js';
// The loop class above takes the name `Executor`, which hides the model of that name (an
// executor registered in a colony, as `getExecutors` returns it); it stays reachable as:
export type { Executor as ExecutorInfo } from './colonies_edge.js';
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

// Each constant below shares its name with a type of colonies_edge.d.ts. A local declaration
// hides both meanings of a name that `export *` brings in, so the type is declared again next
// to the value: `ProcessState.Success` and `state: ProcessState` both work for users.

/** Process (and process graph) states (§5.5). */
export declare const ProcessState: Readonly<{ Waiting: 0; Running: 1; Success: 2; Failed: 3; Cancelled: 4 }>;
export type ProcessState = import('./colonies_edge.js').ProcessState;
/** Executor states (§5.3). */
export declare const ExecutorState: Readonly<{ Pending: 0; Approved: 1; Rejected: 2; Unregistered: 3 }>;
export type ExecutorState = import('./colonies_edge.js').ExecutorState;
/** Attribute types (§5.7). */
export declare const AttributeType: Readonly<{ In: 0; Out: 1; Err: 2; Env: 3 }>;
export type AttributeType = import('./colonies_edge.js').AttributeType;
