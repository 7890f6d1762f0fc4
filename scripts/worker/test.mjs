// The Worker's acceptance run (scripts/worker-test.sh): builds the bundle, starts a private
// PostgreSQL (initdb in a temporary directory, as the suite's harness does), runs the Worker
// under `wrangler dev` (local workerd) against it through Hyperdrive's local connection
// string, lets the first request apply the migrations, then
//   1. the black-box suite with COLONIES_TEST_URL pointing at the Worker,
//   2. the Cron Trigger handler once (/__scheduled),
//   3. a second Worker on the same database and concurrent executors spread over both:
//      every process assigned exactly once (tests/src/bin/assign_once.rs), and a request
//      captured on one Worker replayed on the other (tests/tests/replay.rs),
//   4. with --measure: CPU per request inside workerd (tests/src/bin/edge_cpu.rs),
// and tears everything down. Flags: --no-suite, --no-go (the Go client suite after the
// black-box suite), --no-swarm, --measure, --keep (leave it
// running until Ctrl-C), --pg-auth=trust, --pg-iterations=N (SCRAM rounds of the role's
// verifier, 16 by default), `-- <cargo test args>` for the suite.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, buildWorker, freePort, newKey, scramVerifier, startWrangler, toolEnv, waitFor } from './common.mjs';

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const flags = new Set(split < 0 ? argv : argv.slice(0, split));
const cargoTestArgs = split < 0 ? [] : argv.slice(split + 1);
const BODY_LIMIT = 1024 * 1024;

const log = (...a) => console.log('\x1b[1;35m[worker-test]\x1b[0m', ...a);
const children = [];
let pg = null;
let tmp = null;

function pgBin() {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

/** Runs a PostgreSQL tool, as `postgres` when we are root (PostgreSQL refuses root). */
function pgTool(tool, args) {
  const root = process.getuid() === 0;
  const [cmd, full] = root ? ['runuser', ['-u', 'postgres', '--', join(pgBin(), tool), ...args]] : [join(pgBin(), tool), args];
  const run = spawnSync(cmd, full, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${tool} failed: ${run.stdout}${run.stderr}`);
}

async function startPostgres() {
  tmp = mkdtempSync(join(tmpdir(), 'colonies-worker-test-'));
  chmodSync(tmp, 0o755);
  const data = join(tmp, 'pg');
  const password = newKey().prvkey;
  const pwfile = join(tmp, 'pw');
  // Stored as a verifier with few PBKDF2 rounds, as the embedded cluster is;
  // --pg-iterations=4096 (PostgreSQL's default) shows what the default costs a Worker.
  const iterations = Number([...flags].find((f) => f.startsWith('--pg-iterations='))?.split('=')[1] ?? 16);
  writeFileSync(pwfile, scramVerifier(password, iterations), { mode: 0o600 });
  if (process.getuid() === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(tmp, Number(id.stdout), Number(gid.stdout));
    chownSync(pwfile, Number(id.stdout), Number(gid.stdout));
  }
  // SCRAM by default, as the embedded cluster and managed databases use; `--pg-auth trust`
  // shows what the per-connection SCRAM exchange costs the Worker.
  const auth = flags.has('--pg-auth=trust') ? 'trust' : 'scram-sha-256';
  pgTool('initdb', ['-D', data, '-U', 'colonies', '-A', auth, `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=300`;
  pgTool('pg_ctl', ['-D', data, '-o', options, '-l', join(tmp, 'postgres.log'), '-w', 'start']);
  pg = data;
  return `postgres://colonies:${password}@127.0.0.1:${port}/postgres`;
}

async function startWorker(name, databaseUrl, serverId, direct = flags.has('--direct'), extraVars = {}) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const wrangler = startWrangler({
    port,
    inspectorPort,
    databaseUrl,
    stateDir: join(tmp, `state-${name}`),
    vars: { COLONIES_SERVER_ID: serverId, COLONIES_BODY_LIMIT: String(BODY_LIMIT), ...extraVars },
    log: 'pipe',
    direct,
  });
  const lines = [];
  const keep = (chunk) => {
    lines.push(chunk.toString());
    if (process.env.WORKER_TEST_VERBOSE) process.stdout.write(`[${name}] ${chunk}`);
  };
  wrangler.stdout.on('data', keep);
  wrangler.stderr.on('data', keep);
  children.push(wrangler);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/health`, 180_000);
  } catch (e) {
    throw new Error(`${e.message}\n--- wrangler ${name} said:\n${lines.join('')}`);
  }
  log(`Worker ${name} on ${url} (wrangler pid ${wrangler.pid}, DevTools inspector on port ${inspectorPort})`);
  return { url, wrangler, lines };
}

/** The workerd process wrangler started (a descendant of its pid). */
function workerdPid(wranglerPid) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      parents.set(Number(entry), { ppid, cmd });
    } catch {
      // Gone meanwhile.
    }
  }
  const descends = (pid) => {
    for (let p = pid, i = 0; p > 1 && i < 20; p = parents.get(p)?.ppid ?? 0, i++) if (p === wranglerPid) return true;
    return false;
  };
  const found = [...parents].filter(([pid, { cmd }]) => cmd.includes('workerd') && descends(pid));
  if (!found.length) throw new Error('no workerd process under wrangler');
  return found.map(([pid]) => pid);
}

function run(command, args, env = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env: toolEnv(env), stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${command} ${args.join(' ')} exited ${code}`))));
  });
}

function cargo(args, env = {}) {
  return run('cargo', args, env);
}

function teardown() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  if (pg) {
    try {
      pgTool('pg_ctl', ['-D', pg, '-m', 'fast', '-w', 'stop']);
    } catch (e) {
      console.error(e.message);
    }
    pg = null;
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

async function main() {
  buildWorker();
  const databaseUrl = await startPostgres();
  log('PostgreSQL up');
  const owner = newKey();
  const a = await startWorker('a', databaseUrl, owner.id);

  // The first request of the isolate applies the migrations and stores the server owner.
  const version = await fetch(`${a.url}/api`, {
    method: 'POST',
    body: JSON.stringify({ signature: '', payloadtype: 'versionmsg', payload: '' }),
  });
  if (version.status !== 200) throw new Error(`versionmsg answered ${version.status}: ${await version.text()}`);
  log('migrations applied (first request)');

  const env = {
    COLONIES_TEST_URL: a.url,
    COLONIES_TEST_SERVER_PRVKEY: owner.prvkey,
    COLONIES_TEST_BODY_LIMIT: String(BODY_LIMIT),
  };
  if (!flags.has('--no-suite')) {
    log('black-box suite against the Worker');
    // `-- --test pubsub …` picks test files; without any, every one runs.
    const targets = cargoTestArgs.includes('--test') ? [] : ['--tests'];
    await cargo(['test', '-p', 'colonies-blackbox', ...targets, ...cargoTestArgs], env);
  }

  if (!flags.has('--no-go')) {
    // The official Go client (colonyos/colonies, pinned in tests/interop/go) against the
    // Worker; its /pubsub tests check the documented 501 instead.
    log('the Go client suite against the Worker');
    await run(join(ROOT, 'tests/interop/go/run.sh'), [], { ...env, COLONIES_TEST_WORKERS: '1' });
  }

  const scheduled = await fetch(`${a.url}/__scheduled?cron=*+*+*+*+*`);
  if (scheduled.status !== 200) throw new Error(`/__scheduled answered ${scheduled.status}`);
  log('Cron Trigger handler ran');

  if (!flags.has('--no-swarm')) {
    // Both direct: wrangler's local Hyperdrive proxy does not survive resets under this load.
    const b = await startWorker('b', databaseUrl, owner.id, true);
    log('two Workers, one database, concurrent executors: every process assigned once?');
    await cargo(['run', '--release', '-q', '-p', 'colonies-blackbox', '--bin', 'assign_once', '--',
      '--url', a.url, '--url', b.url, '--owner-key', owner.prvkey,
      '--executors', '16', '--processes', process.env.WORKER_TEST_PROCESSES ?? '1000']);
    log('a request captured on one Worker and replayed on the other is refused');
    await cargo(['test', '-p', 'colonies-blackbox', '--test', 'replay', 'a_replay_on_another_replica_is_refused'],
      { ...env, COLONIES_TEST_REPLICA_URL: b.url });
  }

  if (flags.has('--measure')) {
    const pids = workerdPid(a.wrangler.pid);
    log(`CPU per request inside workerd (pid ${pids.join(', ')}), deadline sweeps after requests included`);
    await cargo(['run', '--release', '-q', '-p', 'colonies-blackbox', '--bin', 'edge_cpu', '--',
      '--url', a.url, '--owner-key', owner.prvkey, ...pids.flatMap((p) => ['--pid', String(p)])]);
    // The same on a Worker that leaves the sweeps to the Cron Trigger: the requests' own CPU.
    // (A sweep runs at most once a second per isolate; during the slowest kind of request
    // more of them land, which skews the figures above.)
    const c = await startWorker('c', databaseUrl, owner.id, false, { COLONIES_DEADLINE_SWEEP_MS: '0' });
    const cPids = workerdPid(c.wrangler.pid);
    log(`CPU per request inside workerd (pid ${cPids.join(', ')}), sweeps left to the Cron Trigger`);
    await cargo(['run', '--release', '-q', '-p', 'colonies-blackbox', '--bin', 'edge_cpu', '--',
      '--url', c.url, '--owner-key', owner.prvkey, ...cPids.flatMap((p) => ['--pid', String(p)])]);
  }

  if (flags.has('--keep')) {
    log(`running: ${a.url}, database ${databaseUrl}, owner key ${owner.prvkey}; Ctrl-C stops`);
    await new Promise((resolve) => process.once('SIGINT', resolve));
  }
}

process.on('SIGTERM', () => { teardown(); process.exit(143); });
try {
  await main();
  log('passed');
} catch (e) {
  console.error(`\x1b[1;31m[worker-test] ${e.message}\x1b[0m`);
  process.exitCode = 1;
} finally {
  teardown();
}
