// `npm run build:worker`: the Worker bundle (server-worker/workers/build) via worker-build,
// skipped when it is newer than every source; `--force` rebuilds.
import { buildWorker } from './common.mjs';

try {
  buildWorker({ force: process.argv.includes('--force') });
} catch (e) {
  console.error(`[worker] ${e.message}`);
  process.exit(1);
}
