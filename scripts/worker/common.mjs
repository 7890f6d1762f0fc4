// Shared by the Worker scripts (build, dev, test): the tool environment docs/toolchain.md describes,
// the bundle build, keys, ports, and waiting for a server. Node built-ins only, so it runs on a
// fresh machine before anything else is installed.

import { spawn, spawnSync } from 'node:child_process';
import { createECDH, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The cdylib worker-build bundles, and where wrangler.toml lives. */
export const WORKER_DIR = join(ROOT, 'server-worker/workers');
/** The bundle wrangler serves. */
export const BUNDLE = join(WORKER_DIR, 'build/index.js');

const bin = join(ROOT, 'node_modules/.bin');
const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin');

/**
 * The environment worker-build and wrangler need offline: tools resolved from the project
 * (never downloaded), no telemetry, no fetch of Cloudflare's request metadata, and a
 * wrangler config directory inside the checkout.
 */
export function toolEnv(extra = {}) {
  return {
    ...process.env,
    PATH: [bin, cargoBin, '/usr/sbin', process.env.PATH].join(':'),
    WASM_BINDGEN_BIN: process.env.WASM_BINDGEN_BIN ?? join(cargoBin, 'wasm-bindgen'),
    WASM_OPT_BIN: process.env.WASM_OPT_BIN ?? join(bin, 'wasm-opt'),
    ESBUILD_BIN: process.env.ESBUILD_BIN ?? join(bin, 'esbuild'),
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? join(ROOT, '.tmp/xdg'),
    ...extra,
  };
}

/** The newest modification time (ms) of any file under `paths`. */
function newest(paths) {
  let latest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const entry of readdirSync(p)) if (entry !== 'build' && entry !== 'target') walk(join(p, entry));
    } else {
      latest = Math.max(latest, s.mtimeMs);
    }
  };
  paths.forEach(walk);
  return latest;
}

/** Whether the bundle is older than any source that goes into it. */
export function bundleStale() {
  if (!existsSync(BUNDLE)) return true;
  const sources = ['core', 'server-worker', 'Cargo.toml', 'Cargo.lock'].map((p) => join(ROOT, p));
  return newest(sources) > statSync(join(WORKER_DIR, 'build/index_bg.wasm')).mtimeMs;
}

/**
 * Builds the bundle with worker-build (the workspace's size-first `worker` profile) unless it
 * is up to date; `force` rebuilds anyway. Throws if the build fails.
 */
/**
 * The tools a Worker build needs, all resolved locally (never downloaded by worker-build,
 * which would otherwise fetch wasm-opt from GitHub): when one is missing, e.g. on a fresh
 * checkout before any `scripts/test.sh` run, `scripts/setup.sh` installs what is missing.
 */
export function ensureTools() {
  const needed = [
    join(bin, 'wasm-opt'),
    join(bin, 'wrangler'),
    join(bin, 'esbuild'),
    join(cargoBin, 'worker-build'),
    join(cargoBin, 'wasm-bindgen'),
  ];
  const missing = needed.filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  console.log(`[worker] missing ${missing.join(', ')}: running scripts/setup.sh (installs only what is missing)`);
  const run = spawnSync(join(ROOT, 'scripts/setup.sh'), [], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) {
    throw new Error(`scripts/setup.sh failed (${run.status ?? run.signal}); it needs the package registries and, for system packages, root or sudo`);
  }
}

export function buildWorker({ force = false } = {}) {
  ensureTools();
  if (!force && !bundleStale()) {
    console.log('[worker] bundle is up to date:', BUNDLE);
    return;
  }
  const env = toolEnv();
  mkdirSync(env.XDG_CONFIG_HOME, { recursive: true });
  console.log('[worker] worker-build --profile worker (a cold build takes several minutes)');
  const run = spawnSync('worker-build', ['--profile', 'worker'], { cwd: WORKER_DIR, env, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`worker-build failed (${run.status ?? run.signal})`);
}

/** A new secp256k1 key and its Colonies ID (SHA3-256 of the uncompressed public key's hex). */
export function newKey() {
  const ecdh = createECDH('secp256k1');
  ecdh.generateKeys();
  const prvkey = ecdh.getPrivateKey('hex').padStart(64, '0');
  const id = createHash('sha3-256').update(ecdh.getPublicKey('hex', 'uncompressed')).digest('hex');
  return { prvkey, id };
}

/** A TCP port nobody listens on right now. */
/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password`, with `iterations` PBKDF2
 * rounds: initdb's --pwfile takes it as is. A Worker pays those rounds on every connection
 * (one per request); with a random 256-bit password few rounds lose nothing (see
 * server-worker/src/native/scram.rs, which the embedded cluster uses likewise).
 */
export function scramVerifier(password, iterations = 16) {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const b64 = (b) => b.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Waits until `url` answers 200, or throws after `ms`. */
export async function waitFor(url, ms = 120_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts `wrangler dev` on the built bundle: local mode (workerd), Hyperdrive's local
 * connection string pointing at `databaseUrl`, vars from `vars`. Returns the child process.
 */
export function startWrangler({ port, inspectorPort, databaseUrl, vars = {}, stateDir, log = 'inherit', direct = false }) {
  const args = [
    'dev',
    '--config', join(WORKER_DIR, 'wrangler.toml'),
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--inspector-port', String(inspectorPort),
    '--persist-to', stateDir,
    '--test-scheduled',
    '--show-interactive-dev-session=false',
    '--log-level', 'info',
  ];
  // `direct`: no Hyperdrive binding (wrangler.toml's [env.direct]); the Worker connects itself.
  if (direct) args.push('--env', 'direct', '--var', `DATABASE_URL:${databaseUrl}`);
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const env = toolEnv({ CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: databaseUrl });
  mkdirSync(env.XDG_CONFIG_HOME, { recursive: true });
  return spawn('wrangler', args, { cwd: WORKER_DIR, env, stdio: ['ignore', log, log] });
}
