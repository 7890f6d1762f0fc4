// Processes of a colony by state, kept live by polling (counts from the colony's statistics,
// the list of the chosen state).
import { emptyState, errorNote, h, replace } from '../dom.js';
import { PROCESS_STATES, between, shortId, stateBadge, when } from '../format.js';
import { poll } from '../live.js';

const COUNT_FIELD = ['waitingprocesses', 'runningprocesses', 'successfulprocesses', 'failedprocesses', 'cancelledprocesses'];
const LIMIT = 100; // the protocol's largest page (§4.5)

function row(colonyname, process) {
  const href = `#/colony/${encodeURIComponent(colonyname)}/process/${process.processid}`;
  const time = process.state === 0 ? process.submissiontime : process.state === 1 ? process.starttime : process.endtime;
  return h('tr', { dataset: { processid: process.processid } },
    h('td', {}, h('a', { href }, process.spec.funcname || h('em', {}, 'no function'))),
    h('td', {}, stateBadge(process.state)),
    h('td', {}, shortId(process.processid)),
    h('td', {}, process.spec.conditions.executortype),
    h('td', {}, process.initiatorname),
    h('td', {}, when(time)),
    h('td', {}, process.state >= 2 ? between(process.starttime, process.endtime) ?? '—' : '—'));
}

export function processesView({ colonyname, client, params }) {
  let state = Number(params.get('state') ?? 0);
  if (!PROCESS_STATES[state]) state = 0;
  const counts = new Map();
  const tabs = h('div', { class: 'state-tabs', role: 'tablist' });
  const list = h('div', {});
  const statsError = h('div', {});

  function renderTabs() {
    replace(tabs, PROCESS_STATES.map((s) => h('button', {
      type: 'button', role: 'tab', class: `state-tab ${s.tone}`, 'aria-selected': String(s.value === state),
      dataset: { state: s.name.toLowerCase() },
      onclick: () => {
        state = s.value;
        history.replaceState(null, '', `#/colony/${encodeURIComponent(colonyname)}/processes?state=${state}`);
        renderTabs();
        replace(list, h('p', { class: 'muted' }, 'Loading…'));
        live.now();
      },
    }, s.name, h('span', { class: 'count' }, counts.has(s.value) ? String(counts.get(s.value)) : '·'))));
  }

  async function refresh() {
    const shown = state;
    const [stats, processes] = await Promise.all([
      client.getColonyStatistics({ colonyname }).catch((error) => ({ error })),
      client.getProcesses({ colonyname, count: LIMIT, state: shown }),
    ]);
    if (shown !== state) return; // the user switched tabs meanwhile
    if (stats.error) {
      replace(statsError, errorNote(stats.error, 'Counts unavailable:'));
    } else {
      replace(statsError);
      COUNT_FIELD.forEach((field, i) => counts.set(i, stats[field]));
    }
    renderTabs();
    if (processes.length === 0) {
      replace(list, emptyState(`No ${PROCESS_STATES[state].name.toLowerCase()} processes.`,
        state === 0 ? h('p', {}, h('a', { href: `#/colony/${encodeURIComponent(colonyname)}/submit` }, 'Submit a function spec'), ' to start one.') : null));
      return;
    }
    replace(list, h('table', { class: 'table', id: 'processes' },
      h('thead', {}, h('tr', {}, ['Function', 'State', 'ID', 'Executor type', 'Submitted by',
        state === 0 ? 'Submitted' : state === 1 ? 'Started' : 'Ended', 'Run time'].map((t) => h('th', {}, t)))),
      h('tbody', {}, processes.map((p) => row(colonyname, p)))),
    processes.length === LIMIT ? h('p', { class: 'muted' }, `Showing the first ${LIMIT}.`) : null);
  }

  renderTabs();
  replace(list, h('p', { class: 'muted' }, 'Loading…'));
  const live = poll(async () => {
    try {
      await refresh();
    } catch (error) {
      replace(list, errorNote(error, 'Processes could not be listed.'));
      throw error;
    }
  });
  const node = h('section', { class: 'card' },
    h('div', { class: 'card-header' }, h('h2', {}, 'Processes'), live.indicator),
    tabs, statsError, list);
  return { node, dispose: live.stop };
}
