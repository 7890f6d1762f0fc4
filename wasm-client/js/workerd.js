// The package entry for Cloudflare Workers (wrangler resolves the `workerd` condition and
// bundles the .wasm import as a compiled WebAssembly.Module): initialised on import.
import wasmModule from './colonies_edge_bg.wasm';
import { initSync } from './index.js';

export * from './index.js';
export { default } from './index.js';

initSync({ module: wasmModule });
