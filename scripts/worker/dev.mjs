// `npm run dev:worker`: the Worker under `wrangler dev` (local workerd) on the same PostgreSQL
// as `colonies-edge serve`, offline.
//
// The database, in order: DATABASE_URL; else the embedded cluster of `colonies-edge serve`
// (its connection details are in <data dir>/embedded-postgres.json) if it is running; else
// `colonies-edge serve` is started here (it creates or starts that cluster, and on a first
// start prints the server owner's key) and stopped again when wrangler exits. Both servers
// then share the database: the native one on :50080, the Worker on :8787 (PORT to change).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT, buildWorker, startWrangler, toolEnv } from './common.mjs';

const port = Number(process.env.PORT ?? 8787);

/** The data directory `colonies-edge serve` uses by default (native::default_data_dir). */
function dataDir() {
  if (process.env.COLONIES_DATA_DIR) return process.env.COLONIES_DATA_DIR;
  if (process.getuid?.() === 0) return '/var/lib/colonies-edge';
  if (process.env.XDG_DATA_HOME) return join(process.env.XDG_DATA_HOME, 'colonies-edge');
  return join(homedir(), '.local/share/colonies-edge');
}

function embeddedUrl() {
  const file = join(dataDir(), 'embedded-postgres.json');
  if (!existsSync(file)) return null;
  const { port: pgPort, user, password } = JSON.parse(readFileSync(file, 'utf8'));
  return { url: `postgres://${user}:${password}@127.0.0.1:${pgPort}/postgres`, pgPort };
}

function listening(p) {
  return new Promise((ok) => {
    const socket = connect(p, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); ok(true); });
    socket.once('error', () => ok(false));
  });
}

async function database() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, serve: null };
  const known = embeddedUrl();
  if (known && (await listening(known.pgPort))) return { url: known.url, serve: null };
  console.log('[dev:worker] starting `colonies-edge serve` for its PostgreSQL (first build takes a while)');
  const serve = spawn('cargo', ['run', '--release', '--quiet', '-p', 'colonies-cli', '--', 'serve'], {
    cwd: ROOT, env: toolEnv(), stdio: 'inherit',
  });
  for (let i = 0; i < 1800; i++) {
    if (serve.exitCode !== null) throw new Error('colonies-edge serve exited');
    const found = embeddedUrl();
    if (found && (await listening(found.pgPort))) {
      // The cluster accepts connections; give the server a moment to finish migrating.
      await new Promise((r) => setTimeout(r, 1000));
      return { url: found.url, serve };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the embedded PostgreSQL did not come up');
}

try {
  buildWorker();
  const { url, serve } = await database();
  const owner = join(dataDir(), 'server-owner.key');
  console.log(`[dev:worker] database ready; the server owner key (if generated here) is in ${owner}`);
  const wrangler = startWrangler({
    port,
    inspectorPort: Number(process.env.INSPECTOR_PORT ?? 9229),
    databaseUrl: url,
    stateDir: join(ROOT, '.tmp/wrangler-state'),
  });
  const stop = () => {
    if (wrangler.exitCode === null) wrangler.kill('SIGTERM');
    if (serve && serve.exitCode === null) serve.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`[dev:worker] Worker on http://127.0.0.1:${port} (POST /api, GET /health, /__scheduled)`);
  wrangler.on('exit', (code) => {
    if (serve && serve.exitCode === null) serve.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
} catch (e) {
  console.error(`[dev:worker] ${e.message}`);
  process.exit(1);
}
