// This tab as an executor: function names with JavaScript handlers, run by the package's
// Executor loop (assign → handler → close). The loop lives in this module, not in the view,
// so it keeps running while the user looks at other pages of the dashboard.
import { Executor } from '../../vendor/colonies-edge/index.js';
import { actionButton, describeError, emptyState, errorNote, h, replace } from '../dom.js';
import { EXECUTOR_STATES, shortId, stateBadge } from '../format.js';
import { addIdentity, clientFor, session } from '../session.js';

const MAX_EVENTS = 200;
const AsyncFunction = (async () => {}).constructor;
const DEFAULT_FUNCTIONS = [{
  funcname: 'echo',
  code: '// process.spec.args are the arguments; the value returned becomes the output.\n' +
    "await context.log(`echo ${JSON.stringify(process.spec.args)}`);\nreturn process.spec.args;",
}];

/** The running executor of this tab, or null. */
let running = null;
const listeners = new Set();
let draft = { identityId: '', functions: DEFAULT_FUNCTIONS.map((f) => ({ ...f })) };

/** Calls `listener` whenever the in-tab executor starts, stops or handles something. */
export function onExecutorChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** What the top bar shows: null when no executor runs here. */
export function executorSummary() {
  return running && { colonyname: running.colonyname, done: running.done, failed: running.failed };
}

function notify() {
  for (const listener of listeners) listener();
}

function record(event) {
  const state = running;
  if (!state) return;
  if (event.type === 'succeeded') state.done++;
  if (event.type === 'failed') state.failed++;
  // "waiting" repeats every long poll; one line says it while nothing else happens.
  if (event.type === 'waiting' && state.events[0]?.type === 'waiting') return notify();
  state.events.unshift({ at: new Date(), ...event });
  state.events.length = Math.min(state.events.length, MAX_EVENTS);
  notify();
}

/** Compiles each handler body; a syntax error names its function. */
function compile(functions) {
  return functions.map(({ funcname, code }) => {
    if (!funcname.trim()) throw new Error('Every function needs a name.');
    try {
      return { funcname: funcname.trim(), handler: new AsyncFunction('process', 'context', code) };
    } catch (error) {
      throw new Error(`${funcname}: ${error.message}`);
    }
  });
}

async function start(colonyname, identity, executorInfo) {
  const compiled = compile(draft.functions);
  const client = clientFor(identity);
  const executor = new Executor(client, { colonyname, assignTimeout: 10, onEvent: record });
  for (const { funcname, handler } of compiled) executor.register(funcname, handler);
  running = {
    colonyname, identity, executor, executorInfo, done: 0, failed: 0, events: [], warning: null,
    functions: compiled.map((f) => f.funcname),
  };
  // Announcing the functions lets others see what this executor offers (getfunctionsmsg); the
  // loop does not need it, so a refusal is shown but does not stop the executor.
  if (executorInfo) {
    executor.registerFunctions({ executorname: executorInfo.executorname, executortype: executorInfo.executortype })
      .catch((error) => {
        if (running?.executor === executor) running.warning = `Functions not announced: ${describeError(error)}`;
        notify();
      });
  }
  executor.start().finally(() => {
    if (running?.executor === executor) running = null;
    notify();
  });
  notify();
}

function eventLine(event) {
  const time = event.at.toLocaleTimeString();
  const process = event.process ? [' ', h('a', { href: `#/colony/${encodeURIComponent(running?.colonyname ?? '')}/process/${event.process.processid}` },
    `${event.process.spec.funcname} ${event.process.processid.slice(0, 8)}`)] : [];
  const text = {
    waiting: ['Waiting for work…'],
    assigned: ['Assigned', ...process],
    progress: ['Progress', ...process, `: ${JSON.stringify(event.value)}`],
    succeeded: ['Succeeded', ...process, ` → ${JSON.stringify(event.output)}`],
    failed: ['Failed', ...process, `: ${describeError(event.error)}`],
    error: [event.process ? ['Could not report', ...process, ': '] : '', describeError(event.error),
      event.retryInMs ? ` (retrying in ${(event.retryInMs / 1000).toFixed(1)} s)` : ''],
    stopped: ['Stopped.'],
  }[event.type] ?? [event.type];
  return h('li', { class: `event ${event.type}`, dataset: { type: event.type } }, h('span', { class: 'muted' }, time, ' '), text);
}

function runningPanel(colonyname) {
  const state = running;
  const elsewhere = state.colonyname !== colonyname;
  return h('section', { class: 'card', id: 'executor-running' },
    h('div', { class: 'card-header' },
      h('h2', {}, 'Executor running'),
      h('span', { class: 'live on' }, h('span', { class: 'dot' }), 'Running')),
    elsewhere ? h('p', { class: 'note' }, `It works for colony ${state.colonyname}.`) : null,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Identity'), h('dd', {}, state.identity.label, ' ', shortId(state.identity.id)),
      h('dt', {}, 'Executor'), h('dd', {}, state.executorInfo ? `${state.executorInfo.executorname} (${state.executorInfo.executortype})` : 'unknown'),
      h('dt', {}, 'Functions'), h('dd', {}, state.functions.join(', ')),
      h('dt', {}, 'Completed'), h('dd', { id: 'executor-done' }, `${state.done} succeeded, ${state.failed} failed`)),
    state.warning ? h('p', { class: 'note warn' }, state.warning) : null,
    h('div', { class: 'row' }, actionButton('Stop executor', () => state.executor.stop(), { class: 'danger', id: 'stop-executor' })),
    h('h3', {}, 'Activity'),
    state.events.length ? h('ul', { class: 'events', id: 'executor-events' }, state.events.map(eventLine))
      : emptyState('Nothing yet.'));
}

function functionEditor(fn, index, rerender) {
  return h('div', { class: 'function', dataset: { index: String(index) } },
    h('div', { class: 'row' },
      h('label', { class: 'grow' }, 'Function name', h('input', {
        name: 'funcname', value: fn.funcname, required: true, oninput: (e) => { fn.funcname = e.target.value; },
      })),
      draft.functions.length > 1 ? h('button', {
        type: 'button', class: 'link danger', onclick: () => { draft.functions.splice(index, 1); rerender(); },
      }, 'Remove') : null),
    h('label', {}, 'Handler body: async (process, context) => { … }', h('textarea', {
      name: 'handler', class: 'code', rows: 6, spellcheck: 'false', value: fn.code,
      oninput: (e) => { fn.code = e.target.value; },
    })));
}

export function runView({ colonyname, client }) {
  const root = h('div', {});
  let executors = null; // this colony's executors, to say which identities are executors here
  let loadError = null;

  function identityOptions() {
    const mine = [...session.identities.values()].map((identity) => {
      const info = executors?.find((e) => e.executorid === identity.id) ?? null;
      return { identity, info };
    });
    // Approved executors of this colony first: they are the ones that can take work.
    return mine.sort((a, b) => (b.info?.state === 1) - (a.info?.state === 1));
  }

  function setupPanel() {
    const options = identityOptions();
    if (!draft.identityId || !session.identities.has(draft.identityId)) draft.identityId = options[0]?.identity.id ?? '';
    const select = h('select', {
      name: 'identity', onchange: (e) => { draft.identityId = e.target.value; render(); },
    }, options.map(({ identity, info }) => h('option', { value: identity.id, selected: identity.id === draft.identityId },
      `${identity.label}${info ? ` — executor ${info.executorname}, ${EXECUTOR_STATES[info.state]?.name.toLowerCase()}` : ' — not an executor here'}`)));
    const chosen = options.find((o) => o.identity.id === draft.identityId);
    const pasted = h('input', { name: 'executorkey', class: 'masked', spellcheck: 'false', placeholder: 'Executor private key (64 hex)', autocomplete: 'off' });
    const status = h('div', { role: 'status' });
    const functions = h('div', { class: 'stack' }, draft.functions.map((fn, i) => functionEditor(fn, i, render)));

    return h('section', { class: 'card', id: 'executor-setup' },
      h('h2', {}, 'Run an executor in this tab'),
      h('p', { class: 'muted' }, 'The tab asks the colony for work, runs your handler, and reports the result. It runs while the tab is open, also on other pages of the dashboard.'),
      loadError ? errorNote(loadError, 'Executors could not be listed:') : null,
      h('h3', {}, 'Identity'),
      options.length ? h('label', {}, 'Executor key', select) : null,
      chosen && !chosen.info ? h('p', { class: 'note warn' }, 'This key is not an executor of this colony: the colony owner registers it (Executors tab) and approves it.') : null,
      chosen?.info && chosen.info.state !== 1 ? h('p', { class: 'note warn' }, 'This executor is ', stateBadge(chosen.info.state, EXECUTOR_STATES), ': it gets work once the colony owner approves it.') : null,
      h('form', {
        class: 'row', onsubmit: async (event) => {
          event.preventDefault();
          try {
            // A pasted key stays in this tab only; save it from Identities if wanted.
            const identity = await addIdentity(pasted.value, `${colonyname} executor key`, { save: false });
            draft.identityId = identity.id;
          } catch (error) {
            replace(status, errorNote(error));
          }
        },
      }, pasted, h('button', { type: 'submit', class: 'secondary' }, 'Use this key')),
      status,
      h('h3', {}, 'Functions'),
      functions,
      h('div', { class: 'row' },
        h('button', {
          type: 'button', class: 'secondary',
          onclick: () => { draft.functions.push({ funcname: '', code: 'return process.spec.args;' }); render(); },
        }, 'Add a function'),
        actionButton('Start executor', async () => {
          if (!chosen) throw new Error('Choose or paste an executor key first.');
          await start(colonyname, chosen.identity, chosen.info);
        }, { id: 'start-executor' })));
  }

  function render() {
    replace(root, running ? runningPanel(colonyname) : setupPanel());
  }

  function load() {
    client.getExecutors({ colonyname })
      .then((list) => { executors = list; loadError = null; }, (error) => { loadError = error; })
      .finally(() => { if (!running) render(); });
  }

  const unsubscribe = onExecutorChange(render);
  load();
  render();
  // A pasted key joins the choices; a running executor is left as it is.
  return { node: root, dispose: unsubscribe, onSessionChange: load };
}
