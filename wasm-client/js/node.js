// The package entry for Node >= 20: the module is read from disk and initialised on import,
// so `import { Client } from 'colonies-edge'` is ready to use. `init()` stays callable (no-op).
import { readFile } from 'node:fs/promises';
import init from './index.js';

export * from './index.js';
export { default } from './index.js';

await init({ module_or_path: await readFile(new URL('./colonies_edge_bg.wasm', import.meta.url)) });
