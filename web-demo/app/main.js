// The dashboard's entry: loads the package's wasm, draws the frame and routes `#/…` to views.
import init from '../vendor/colonies-edge/index.js';
import { describeError, h, replace } from './dom.js';
import { session, subscribe } from './session.js';
import { colonyView } from './views/colony.js';
import { executorsView } from './views/executors.js';
import { homeView, recentColonies } from './views/home.js';
import { keysView } from './views/keys.js';
import { meshView } from './views/mesh.js';
import { processView } from './views/process.js';
import { processesView } from './views/processes.js';
import { executorSummary, onExecutorChange, runView } from './views/run.js';
import { submitView } from './views/submit.js';
import { workflowView, workflowsView } from './views/workflows.js';

const COLONY_VIEWS = {
  processes: processesView,
  process: processView,
  workflows: workflowsView,
  workflow: workflowView,
  executors: executorsView,
  submit: submitView,
  mesh: meshView,
  run: runView,
};

const main = document.getElementById('view');
const sidebar = document.getElementById('sidebar');
const status = document.getElementById('session-status');
let current = null;

function navigate(path) {
  location.hash = `#${path}`;
}

/** `#/colony/<name>/<tab>/<id>?query` → the route's parts. */
function parse(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === 'colony' && parts[1]) {
    if (parts[3]) params.set('id', parts[3]);
    return { view: 'colony', colonyname: parts[1], tab: parts[2] ?? 'processes', params };
  }
  return { view: parts[0] === 'keys' ? 'keys' : 'home', params };
}

function route() {
  current?.dispose?.();
  const r = parse(location.hash);
  if (r.view === 'colony') {
    current = colonyView({ colonyname: r.colonyname, tab: r.tab, params: r.params, navigate, views: COLONY_VIEWS });
  } else if (r.view === 'keys') {
    current = keysView();
  } else {
    current = homeView({ navigate });
  }
  replace(main, current.node);
  renderFrame();
  main.focus({ preventScroll: true });
}

function renderFrame() {
  const r = parse(location.hash);
  const link = (href, label, active) => h('a', { href, class: active ? 'active' : '' }, label);
  const recent = recentColonies();
  replace(sidebar,
    h('div', { class: 'nav-group' },
      link('#/', 'Overview', r.view === 'home'),
      link('#/keys', 'Identities', r.view === 'keys')),
    h('div', { class: 'nav-group' }, h('p', { class: 'nav-title' }, 'Colonies'),
      recent.length === 0 && r.view !== 'colony' ? h('p', { class: 'muted small' }, 'None opened yet.') : null,
      [...new Set([...(r.view === 'colony' ? [r.colonyname] : []), ...recent])].map((name) =>
        link(`#/colony/${encodeURIComponent(name)}`, name, r.view === 'colony' && r.colonyname === name))));

  const count = session.identities.size;
  const summary = executorSummary();
  replace(status,
    summary ? h('a', { class: 'chip ok', href: `#/colony/${encodeURIComponent(summary.colonyname)}/run`, id: 'executor-chip' },
      h('span', { class: 'dot' }), `Executor: ${summary.done} done`) : null,
    h('a', { class: 'chip', href: '#/keys', id: 'identity-chip' },
      count === 0 ? 'No identity' : `${count} identit${count === 1 ? 'y' : 'ies'}`,
      h('span', { class: 'muted' }, session.vault ? '· vault open' : count ? '· this tab only' : '')),
    h('span', { class: 'chip muted', title: 'The Colonies server' }, session.url.replace(/^https?:\/\//, '')));
}

async function boot() {
  try {
    await init();
  } catch (error) {
    replace(main, h('div', { class: 'note error' }, h('strong', {}, 'The dashboard could not load its WebAssembly module. '),
      describeError(error)));
    return;
  }
  window.addEventListener('hashchange', route);
  subscribe(() => {
    renderFrame();
    current?.onSessionChange?.();
  });
  onExecutorChange(renderFrame);
  // Keys are wiped from wasm memory when the tab goes away, not left to the garbage collector.
  window.addEventListener('pagehide', () => {
    for (const identity of session.identities.values()) identity.key.free();
  });
  route();
}

boot();
