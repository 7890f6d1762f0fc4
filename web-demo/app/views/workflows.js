// Workflows (process graphs): the list by state, one graph drawn as SVG, and a raw JSON form
// to submit a WorkflowSpec. Servers that do not serve graphs yet answer with an error, which
// is shown in place.
import { emptyState, errorNote, h, replace } from '../dom.js';
import { PROCESS_STATES, shortId, stateBadge, when } from '../format.js';
import { graphSvg } from '../graph.js';
import { poll } from '../live.js';

const EXAMPLE = (colonyname) => ({
  colonyname,
  functionspecs: [
    { nodename: 'fetch', funcname: 'echo', args: ['data'], maxexectime: 60, conditions: { executortype: 'browser' } },
    { nodename: 'left', funcname: 'echo', args: ['left'], maxexectime: 60, conditions: { executortype: 'browser', dependencies: ['fetch'] } },
    { nodename: 'right', funcname: 'echo', args: ['right'], maxexectime: 60, conditions: { executortype: 'browser', dependencies: ['fetch'] } },
    { nodename: 'join', funcname: 'echo', args: [], maxexectime: 60, conditions: { executortype: 'browser', dependencies: ['left', 'right'] } },
  ],
});

/** A server error saying the payloadtype is not served (protocol §2.3 step 7). */
function notServed(error) {
  return error?.reason === 'server' && /payloadtype/i.test(error.message);
}

function unavailable(error, what) {
  return notServed(error)
    ? emptyState(`This server does not serve ${what} yet.`, h('p', { class: 'muted' }, error.message))
    : errorNote(error, `${what[0].toUpperCase()}${what.slice(1)} could not be read.`);
}

export function workflowsView({ colonyname, client, navigate }) {
  let state = 0;
  const tabs = h('div', { class: 'state-tabs', role: 'tablist' });
  const list = h('div', {});

  function renderTabs() {
    replace(tabs, PROCESS_STATES.map((s) => h('button', {
      type: 'button', role: 'tab', class: `state-tab ${s.tone}`, 'aria-selected': String(s.value === state),
      onclick: () => {
        state = s.value;
        renderTabs();
        live.now();
      },
    }, s.name)));
  }

  const live = poll(async () => {
    const shown = state;
    let graphs;
    try {
      graphs = await client.getProcessGraphs({ colonyname, count: 50, state: shown });
    } catch (error) {
      replace(list, unavailable(error, 'workflows'));
      if (notServed(error)) {
        live.stop();
        replace(live.indicator);
        return;
      }
      throw error;
    }
    if (shown !== state) return;
    replace(list, graphs.length === 0
      ? emptyState(`No ${PROCESS_STATES[state].name.toLowerCase()} workflows.`)
      : h('table', { class: 'table', id: 'workflows' },
        h('thead', {}, h('tr', {}, ['Workflow', 'State', 'Processes', 'Submitted by', 'Submitted'].map((t) => h('th', {}, t)))),
        h('tbody', {}, graphs.map((g) => h('tr', {},
          h('td', {}, h('a', { href: `#/colony/${encodeURIComponent(colonyname)}/workflow/${g.processgraphid}` }, shortId(g.processgraphid))),
          h('td', {}, stateBadge(g.state)), h('td', {}, String(g.processids.length)),
          h('td', {}, g.initiatorname), h('td', {}, when(g.submissiontime)))))));
  }, 3000);
  renderTabs();

  const raw = h('textarea', { name: 'workflow', rows: 16, class: 'code', spellcheck: 'false' },
    JSON.stringify(EXAMPLE(colonyname), null, 2));
  const status = h('div', { role: 'status' });
  const form = h('form', {
    class: 'stack', onsubmit: async (event) => {
      event.preventDefault();
      replace(status);
      try {
        const spec = JSON.parse(raw.value);
        spec.colonyname = colonyname;
        const graph = await client.submitWorkflowSpec({ spec });
        navigate(`/colony/${encodeURIComponent(colonyname)}/workflow/${graph.processgraphid}`);
      } catch (error) {
        replace(status, notServed(error) ? unavailable(error, 'workflows') : errorNote(error, 'Not submitted:'));
      }
    },
  }, raw, h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Submit workflow')), status);

  const node = h('div', {},
    h('section', { class: 'card' }, h('div', { class: 'card-header' }, h('h2', {}, 'Workflows'), live.indicator), tabs, list),
    h('section', { class: 'card' }, h('h2', {}, 'Submit a workflow'),
      h('p', { class: 'muted' }, 'Function specs wired by nodename and conditions.dependencies (protocol §5.6).'), form));
  return { node, dispose: live.stop };
}

export function workflowView({ colonyname, client, params, navigate }) {
  const id = params.get('id');
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  let finished = false;
  const live = poll(async () => {
    let graph;
    try {
      graph = await client.getProcessGraph({ processgraphid: id });
    } catch (error) {
      replace(body, unavailable(error, 'this workflow'));
      if (notServed(error)) live.stop();
      else throw error;
      return;
    }
    // Node states come from the processes themselves; a graph holds at most a few dozen.
    const states = new Map();
    await Promise.all(graph.processids.slice(0, 64).map((pid) => client.getProcess({ processid: pid })
      .then((p) => states.set(pid, p.state), () => {})));
    const open = (pid) => navigate(`/colony/${encodeURIComponent(colonyname)}/process/${pid}`);
    replace(body,
      h('div', { class: 'title-row' }, h('h2', {}, 'Workflow ', shortId(graph.processgraphid)), stateBadge(graph.state)),
      h('p', { class: 'muted' }, `${graph.processids.length} processes, submitted `, when(graph.submissiontime), ` by ${graph.initiatorname}. Click a node for its process.`),
      graph.processids.length === 0 ? emptyState('This workflow has no processes.') : h('div', { class: 'graph-wrap', id: 'graph' }, graphSvg(graph, states, open)));
    if (graph.state >= 2 && !finished) {
      finished = true;
      live.stop();
    }
  });
  const node = h('section', { class: 'card' }, h('div', { class: 'card-header' },
    h('a', { href: `#/colony/${encodeURIComponent(colonyname)}/workflows` }, '← Workflows'), live.indicator), body);
  return { node, dispose: live.stop };
}
