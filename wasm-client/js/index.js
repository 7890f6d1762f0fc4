// The package entry for browsers (and any host that calls `init` itself):
//   import init, { Client, PrivateKey } from 'colonies-edge';
//   await init();                                 // fetches colonies_edge_bg.wasm next to this file
//   await init({ module_or_path: bytesOrModule }); // or from bytes / a WebAssembly.Module
// Node (`node.js`) and Workers (`workerd.js`) entries initialise on import.
export * from './colonies_edge.js';
export { default } from './colonies_edge.js';
export { ColoniesError } from '__RUNTIME__';
export { Executor } from './executor.js';

/** Process (and process graph) states, as the protocol numbers them (§5.5). */
export const ProcessState = Object.freeze({ Waiting: 0, Running: 1, Success: 2, Failed: 3, Cancelled: 4 });
/** Executor states (§5.3). */
export const ExecutorState = Object.freeze({ Pending: 0, Approved: 1, Rejected: 2, Unregistered: 3 });
/** Attribute types (§5.7). */
export const AttributeType = Object.freeze({ In: 0, Out: 1, Err: 2, Env: 3 });
