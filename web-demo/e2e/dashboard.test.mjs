// End to end: the native server serving the built dashboard, driven in Debian's Chromium by
// playwright-core. One tab, as the colony owner, keeps its key in the passphrase vault, approves
// an executor and submits a process; a second, separate browser context runs the executor
// panel and completes it; the first tab sees it succeed. A third scenario opens the Mesh page
// (protocol §15) on a catalog written over meshrequestmsg, with the endpoint's executor run from
// Node, and invokes a function to its result. Screenshots: target/e2e-screenshots/.
//
//   npm run build:wasm && npm run build:dashboard && cargo build -p colonies-cli
//   node --test web-demo/e2e/
//
// COLONIES_EDGE_BIN picks the server binary (default: the newest colonies-edge under
// $CARGO_TARGET_DIR or target/, release or debug); CHROMIUM_PATH the browser (/usr/bin/chromium).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Client, PrivateKey } from '../../wasm-client/pkg/node.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dashboard = join(root, 'web-demo', 'dist');
const screenshots = process.env.COLONIES_E2E_SCREENSHOTS ?? join(root, 'target', 'e2e-screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSPHRASE = 'correct horse battery staple';

function serverBinary() {
  if (process.env.COLONIES_EDGE_BIN) return process.env.COLONIES_EDGE_BIN;
  const targets = [process.env.CARGO_TARGET_DIR, join(root, 'target')].filter(Boolean);
  const found = targets.flatMap((t) => ['release', 'debug'].map((p) => join(t, p, 'colonies-edge')))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) throw new Error(`no colonies-edge binary under ${targets.join(' or ')}: run cargo build -p colonies-cli`);
  return found[0];
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(url, server, output) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer /health within 60 s:\n${output()}`);
}

const state = {};

before(async () => {
  for (const [what, path, hint] of [
    ['the built dashboard', join(dashboard, 'index.html'), 'npm run build:dashboard'],
    ['Chromium', chromiumPath, 'apt-get install chromium'],
  ]) {
    if (!existsSync(path)) throw new Error(`${what} is missing (${path}): ${hint}`);
  }
  mkdirSync(screenshots, { recursive: true });
  state.dataDir = mkdtempSync(join(tmpdir(), 'colonies-e2e-'));
  state.serverKey = PrivateKey.generate();
  const port = await freePort();
  state.url = `http://127.0.0.1:${port}`;
  let log = '';
  state.server = spawn(serverBinary(), [
    'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', state.dataDir,
    '--dashboard-dir', dashboard,
  ], { env: { ...process.env, COLONIES_SERVER_ID: state.serverKey.id, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  state.server.stdout.on('data', (d) => { log += d; });
  state.server.stderr.on('data', (d) => { log += d; });
  state.serverLog = () => log.slice(-4000);
  await waitForHealth(state.url, state.server, state.serverLog);

  state.browser = await chromium.launch({
    executablePath: chromiumPath,
    // Playwright gives every launch a fresh profile (docs/toolchain.md).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await state.browser?.close();
  if (state.server && state.server.exitCode === null) {
    const exited = new Promise((r) => state.server.once('exit', r));
    state.server.kill('SIGTERM'); // the server stops its private PostgreSQL on the way out
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (state.server.exitCode === null) state.server.kill('SIGKILL');
  }
  if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
});

/** A page that fails the test on any script error or console message of ours. */
async function open(context, name) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`${name}: page error: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs every HTTP error status of a fetch ("Failed to load resource"): the
    // protocol answers 403 to role probes and 404 to an assign with no work, so those are
    // expected. Anything else in the console is the dashboard's and counts as noise.
    if (/Failed to load resource: the server responded with a status of (403|404)/.test(message.text())) return;
    page.problems.push(`${name}: console.${message.type()}: ${message.text()}`);
  });
  page.setDefaultTimeout(20_000);
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(state.url);
  return page;
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0)); // a scrolled page repeats the sticky top bar
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

test('owner approves, a second tab executes, the first sees it succeed', { timeout: 180_000 }, async () => {
  const colonyname = `e2e-${Date.now().toString(36)}`;
  const ownerKey = PrivateKey.generate();
  const executorKey = PrivateKey.generate();
  const executorname = 'tab-executor';

  // Set up from Node with the package: the colony (server owner) and a pending executor.
  const server = new Client({ url: state.url, privateKey: state.serverKey });
  await server.addColony({ colony: { colonyid: ownerKey.id, name: colonyname } });
  const owner = new Client({ url: state.url, privateKey: ownerKey });
  await owner.addExecutor({ executor: { executorid: executorKey.id, executortype: 'browser', executorname, colonyname } });

  // The dashboard is served at /, with the right types.
  const index = await fetch(`${state.url}/`);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  const wasm = await fetch(`${state.url}/vendor/colonies-edge/colonies_edge_bg.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.match((await fetch(`${state.url}/app/main.js`)).headers.get('content-type'), /javascript/);

  const ownerContext = await state.browser.newContext();
  const page = await open(ownerContext, 'owner');
  await page.getByText('No identity in this tab.').waitFor();
  await shot(page, '01-first-visit');

  // A vault with a passphrase, then the colony owner key imported into it.
  await page.click('#identity-chip');
  await page.fill('input[name=passphrase]', PASSPHRASE);
  await page.click('#vault button[type=submit]');
  await page.locator('#vault .badge.success', { hasText: 'Unlocked' }).waitFor();
  await page.fill('input[name=label]', 'e2e colony owner');
  await page.fill('input[name=privatekey]', ownerKey.toHex());
  await page.click('button:has-text("Import key")');
  await page.locator('#identities tr', { hasText: 'e2e colony owner' }).locator('.badge', { hasText: 'Saved' }).waitFor();
  await shot(page, '02-owner-key-in-vault');

  // Nothing secret in IndexedDB in plain text.
  const stored = await page.evaluate(() => new Promise((resolveDump, reject) => {
    const request = indexedDB.open('colonies-edge-dashboard');
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const all = request.result.transaction('vault').objectStore('vault').getAll();
      all.onsuccess = () => resolveDump(JSON.stringify(all.result, (k, v) => (v instanceof Uint8Array ? [...v] : v)));
    };
  }));
  assert.ok(stored.includes(ownerKey.id), 'the vault lists the key by its ID');
  assert.ok(!stored.includes(ownerKey.toHex()), 'the private key is not stored in plain text');

  // A locked, reloaded tab gets the key back with the passphrase only.
  await page.reload();
  await page.click('#identity-chip');
  await page.fill('input[name=passphrase]', 'not the passphrase');
  await page.click('#vault button[type=submit]');
  await page.getByText('Wrong passphrase.').waitFor();
  await page.fill('input[name=passphrase]', PASSPHRASE);
  await page.click('#vault button[type=submit]');
  await page.locator('#identities tr', { hasText: 'e2e colony owner' }).waitFor();

  // The owner is no member (protocol §3): the dashboard adds a user for this tab.
  await page.goto(`${state.url}/#/colony/${colonyname}`);
  await page.locator('#join').waitFor();
  await shot(page, '03-owner-not-a-member');
  await page.click('#join button[type=submit]');
  await page.locator('.chip', { hasText: 'Owner key:' }).waitFor();

  // Approve the executor registered from Node.
  await page.click('nav.tabs a:has-text("Executors")');
  const executorRow = page.locator(`#executors tr[data-executorname="${executorname}"]`);
  await executorRow.locator('.badge', { hasText: 'Pending' }).waitFor();
  await shot(page, '04-executor-pending');
  await executorRow.locator('button[data-action=approve]').click();
  await executorRow.locator('.badge', { hasText: 'Approved' }).waitFor();
  await shot(page, '05-executor-approved');

  // Submit a function spec with the form.
  await page.click('nav.tabs a:has-text("Submit")');
  await page.fill('input[name=funcname]', 'echo');
  await page.fill('input[name=executortype]', 'browser');
  await page.fill('textarea[name=args]', '["hello from e2e", 42]');
  await page.click('form button[type=submit]:has-text("Submit")');
  await page.locator('#process[data-state="0"]').waitFor();
  const processid = page.url().split('/').pop();
  assert.match(processid, /^[0-9a-f]{64}$/);
  await shot(page, '06-process-waiting');

  // A second browser context (no shared storage) runs the executor panel with the executor key.
  const executorContext = await state.browser.newContext();
  const tab = await open(executorContext, 'executor');
  await tab.goto(`${state.url}/#/keys`);
  await tab.fill('input[name=label]', 'e2e executor');
  await tab.fill('input[name=privatekey]', executorKey.toHex());
  await tab.click('button:has-text("Import key")');
  await tab.locator('#identities tr', { hasText: 'e2e executor' }).waitFor();
  await tab.goto(`${state.url}/#/colony/${colonyname}/run`);
  await tab.locator('select[name=identity] option', { hasText: `executor ${executorname}, approved` }).waitFor({ state: 'attached' });
  await shot(tab, '07-executor-setup');
  await tab.click('#start-executor');
  await tab.locator('#executor-done', { hasText: '1 succeeded' }).waitFor();
  await shot(tab, '08-executor-completed');

  // The first tab's process page updates by itself.
  await page.locator('#process[data-state="2"]').waitFor({ timeout: 30_000 });
  await page.locator('#output', { hasText: 'hello from e2e' }).waitFor();
  await page.locator('#logs', { hasText: 'echo ["hello from e2e",42]' }).waitFor();
  await shot(page, '09-process-successful');
  const done = await owner.getProcess({ processid }).catch(() => null); // the owner is no member
  assert.equal(done, null);

  // The processes list shows it under Successful.
  await page.click('nav.tabs a:has-text("Processes")');
  await page.click('button[data-state=successful]');
  await page.locator(`#processes tr[data-processid="${processid}"]`).waitFor();
  await shot(page, '10-processes-successful');

  // Workflows: drawn when the server serves graphs, explained when it does not.
  await page.click('nav.tabs a:has-text("Workflows")');
  await page.locator('#workflows, .empty, .note.error').first().waitFor();
  await page.click('button:has-text("Submit workflow")');
  await Promise.race([
    page.locator('#graph svg').waitFor(),
    page.getByText('does not serve workflows yet').first().waitFor(),
  ]);
  await shot(page, '11-workflow');

  // The Mesh page of a colony without a catalog: the member key holds no role there (the
  // refusal says which permission is missing); the colony owner key reads the empty catalog.
  await page.click('nav.tabs a:has-text("Mesh")');
  await page.locator('#mesh .note.error', { hasText: 'Access denied (HTTP 403)' }).first().waitFor();
  assert.match(await page.locator('#mesh .note.error').first().textContent(), /catalog:read/);
  await page.selectOption('#mesh-signer', { label: 'e2e colony owner (colony owner)' });
  await page.getByText('No services yet.').waitFor();
  await page.getByText('colonies-edge mesh apply FILE.yml').waitFor();
  await page.getByText('No endpoints yet.').waitFor();
  await page.getByText('No roles yet.').waitFor();
  assert.equal(await page.locator('#mesh .note.error').count(), 0);
  assert.ok(await page.locator('#invoke-function').isDisabled());
  await shot(page, '11b-mesh-empty-catalog');

  await tab.click('#stop-executor');
  await tab.locator('#executor-setup').waitFor();
  assert.deepEqual([...page.problems, ...tab.problems], []);
  await ownerContext.close();
  await executorContext.close();
});

test('the server owner lists colonies and adds one', { timeout: 60_000 }, async () => {
  const context = await state.browser.newContext();
  const page = await open(context, 'server owner');
  await page.goto(`${state.url}/#/keys`);
  await page.fill('input[name=label]', 'e2e server owner');
  await page.fill('input[name=privatekey]', state.serverKey.toHex());
  await page.click('button:has-text("Import key")');
  await page.locator('#identities tr', { hasText: 'e2e server owner' }).waitFor();
  await page.click('.sidebar a:has-text("Overview")');
  await page.getByText('Listed with the server owner key "e2e server owner".').waitFor();
  const name = `added-${Date.now().toString(36)}`;
  await page.fill('input[name=newcolony]', name);
  await page.click('button:has-text("Add colony")');
  // The new colony's owner key was generated into this tab, so the table says it is here.
  await page.locator('#colonies tr', { hasText: name }).getByText(`${name} owner`).waitFor();
  await shot(page, '12-server-owner-colonies');
  const colonies = await new Client({ url: state.url, privateKey: state.serverKey }).getColonies();
  assert.ok(colonies.some((c) => c.name === name));
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('the Mesh page shows the catalog and live endpoints, and invokes a function to its result', { timeout: 180_000 }, async () => {
  const colonyname = `mesh-${Date.now().toString(36)}`;
  const ownerKey = PrivateKey.generate();
  const userKey = PrivateKey.generate();
  const endpointKey = PrivateKey.generate();
  const endpoint = 'ep-loader';

  // The colony and a user (the browser's key); the endpoint's executor comes later.
  await new Client({ url: state.url, privateKey: state.serverKey }).addColony({ colony: { colonyid: ownerKey.id, name: colonyname } });
  const owner = new Client({ url: state.url, privateKey: ownerKey });
  await owner.addUser({ user: { colonyname, userid: userKey.id, name: 'mesh-user', email: '', phone: '' } });

  // The catalog, written by the colony owner over meshrequestmsg (protocol §15.7). The user's
  // role may read but not yet invoke.
  const mesh = (method, path, body = null) => owner.rpc('meshrequestmsg', { colonyname, method, path, body });
  const role = await mesh('POST', '/api/v1/roles/', {
    name: 'analyst', description: 'reads the catalog', permissions: ['catalog:read'], members: [userKey.id],
  });
  const policy = { sp_id: 'sp-analysts', roles: ['analyst'], requires_authentication: true };
  const resources = { cpu: 2, ram: '512MB' };
  await mesh('POST', '/api/v1/security-policies/', policy);
  for (const [kind, id, body] of [
    ['endpoints', endpoint, { name: 'Loader endpoint', image: 'axo:endpoint', resources, security_policy: policy, policy_id: 'p1' }],
    ['functions', 'load_data', { microservice_id: 'ms_loader', image: 'rory:load', resources, endpoint_id: endpoint, policy_id: 'p1',
      storage: { capacity: '1GB', source_path: '/in', sink_path: '/out' } }],
    ['microservices', 'ms_loader', { service_id: 's_data', functions: ['load_data'], resources, policy_id: 'p1' }],
    ['services', 's_data', { microservices: ['ms_loader'], resources, security_policy: policy, policy_id: 'p1' }],
  ]) {
    const written = await mesh('PUT', `/api/v1/${kind}/${id}?upsert=true`, body);
    assert.equal(written[`${kind.slice(0, -1)}_id`], id);
  }

  // The endpoint's executor, in Node: long-polls for work (which keeps the endpoint warm) and
  // closes what it gets with an output naming its arguments.
  const executor = new Client({ url: state.url, privateKey: endpointKey });
  const ran = [];
  let running = true;
  let loop = null;
  const startExecutor = () => {
    loop = (async () => {
      while (running) {
        let process;
        try {
          process = await executor.assign({ colonyname, timeout: 1 });
        } catch (error) {
          if (error.status === 404) continue; // no work within the timeout
          throw error;
        }
        ran.push(process);
        const { args, kwargs } = process.spec;
        await executor.closeSuccessful({ processid: process.processid, out: [`loaded ${args.join(' ')} (${kwargs.mode})`] });
      }
    })();
  };

  try {
    const context = await state.browser.newContext();
    const page = await open(context, 'mesh');
    await page.goto(`${state.url}/#/keys`);
    await page.fill('input[name=label]', 'mesh analyst');
    await page.fill('input[name=privatekey]', userKey.toHex());
    await page.click('button:has-text("Import key")');
    await page.locator('#identities tr', { hasText: 'mesh analyst' }).waitFor();

    await page.goto(`${state.url}/#/colony/${colonyname}/processes`);
    await page.click('nav.tabs a:has-text("Mesh")');
    assert.match(page.url(), /\/mesh$/);

    // The tree: service → microservice → function, with resources; policies and roles.
    const service = page.locator('#mesh-tree li[data-kind=service][data-id=s_data]');
    const fn = service.locator('li[data-kind=microservice][data-id=ms_loader] li[data-kind=function][data-id=load_data]');
    await fn.waitFor();
    await service.locator('.node-row', { hasText: 'cpu 2' }).first().waitFor();
    await fn.getByText('storage 1GB').waitFor();
    await page.locator('#mesh-policies tr[data-id=sp-analysts]', { hasText: 'analyst' }).waitFor();
    const roleRow = page.locator('#mesh-roles tr[data-name=analyst]');
    await roleRow.getByText('catalog:read').waitFor();
    await roleRow.getByText('in this tab: mesh analyst').waitFor();

    // No executor is named as the endpoint yet: cold. Once the owner registers and approves
    // one (and it polls for work), the page's refresh shows it warm.
    const endpointRow = page.locator(`#mesh-endpoints tr[data-endpoint=${endpoint}]`);
    await endpointRow.locator('[data-live=cold]').waitFor();
    await endpointRow.getByText('no executor of that name').waitFor();
    await shot(page, '13-mesh-catalog-cold');
    await owner.addExecutor({ executor: { executorid: endpointKey.id, executortype: 'mesh-endpoint', executorname: endpoint, colonyname } });
    await owner.approveExecutor({ colonyname, executorname: endpoint });
    startExecutor();
    await page.locator(`#mesh-endpoints tr[data-endpoint=${endpoint}][data-live=warm]`).waitFor({ timeout: 15_000 });
    await endpointRow.getByText('approved').waitFor();
    await endpointRow.getByText(/just now|s ago/).waitFor();
    await shot(page, '14-mesh-endpoint-warm');

    // Invoke from the tree: the form checks the fields before sending anything.
    await fn.locator('button[data-invoke=load_data]').click();
    assert.equal(await page.inputValue('#invoke-function'), 'load_data');
    await page.fill('textarea[name=invoke-args]', '{"rows": 3}');
    await page.fill('textarea[name=invoke-kwargs]', '[1');
    await page.click('#invoke-form button[type=submit]');
    const problems = page.locator('#invoke-problems');
    await problems.getByText('Arguments must be a JSON array').waitFor();
    await problems.getByText('Keyword arguments is not valid JSON').waitFor();
    assert.equal(ran.length, 0);
    await shot(page, '15-mesh-invoke-invalid');

    // The role does not grant function:invoke yet: the refusal is said as such.
    await page.fill('textarea[name=invoke-args]', '[3, "rows"]');
    await page.fill('textarea[name=invoke-kwargs]', '{"mode": "fast"}');
    await page.click('#invoke-form button[type=submit]');
    const refusal = page.locator('#invoke-status .note.error');
    await refusal.getByText('Access denied (HTTP 403)').waitFor();
    assert.match(await refusal.textContent(), /function:invoke/);
    assert.equal(await page.locator('#invocation').count(), 0);
    await shot(page, '16-mesh-invoke-denied');

    // Granted: the invocation runs on the endpoint's executor and its state reaches completed.
    await mesh('PUT', `/api/v1/roles/${role.role_id}`, { permissions: ['catalog:read', 'function:invoke'] });
    await page.click('#invoke-form button[type=submit]');
    await page.locator('#invocation').waitFor();
    await page.locator('#invocation[data-state=completed]').waitFor({ timeout: 30_000 });
    await page.locator('#invoke-output', { hasText: 'loaded 3 rows (fast)' }).waitFor();
    assert.equal(ran.length, 1);
    assert.equal(await page.textContent('#invoked-process'), ran[0].processid);
    assert.equal(ran[0].spec.funcname, 'load_data');
    assert.deepEqual(ran[0].spec.conditions.executornames, [endpoint]);
    assert.equal(await page.locator('#invoke-status .note.error').count(), 0);
    await roleRow.getByText('function:invoke').waitFor(); // read again after the invoke
    await shot(page, '17-mesh-invoked-completed');

    assert.deepEqual(page.problems, []);
    await context.close();
  } finally {
    running = false;
    await loop;
  }
});
