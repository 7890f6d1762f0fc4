// One process: state, timings, spec, attributes, output, errors and logs; live until it ends.
import { actionButton, emptyLine, emptyState, errorNote, h, replace } from '../dom.js';
import { between, isSet, json, shortId, stateBadge, when } from '../format.js';
import { poll } from '../live.js';

const ATTRIBUTE_TYPES = ['in', 'out', 'err', 'env'];
const LOG_PAGE = 500; // the protocol's largest (§4.9)

function field(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function attributesTable(attributes) {
  if (attributes.length === 0) return emptyLine('No attributes.');
  return h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Type'), h('th', {}, 'Key'), h('th', {}, 'Value'))),
    h('tbody', {}, attributes.map((a) => h('tr', {},
      h('td', {}, h('span', { class: 'badge' }, ATTRIBUTE_TYPES[a.attributetype] ?? a.attributetype)),
      h('td', {}, h('code', {}, a.key)), h('td', {}, h('code', { class: 'wrap' }, a.value))))));
}

function logsBlock(logs) {
  if (logs.length === 0) return emptyLine('No log lines.');
  return h('pre', { class: 'logs', id: 'logs' }, logs.map((log) => {
    // Nanoseconds above 2^53 arrive rounded; milliseconds are exact enough to show.
    const time = new Date(log.timestamp / 1e6).toLocaleTimeString();
    return h('div', { class: 'log-line' }, h('span', { class: 'muted' }, `${time} ${log.executorname} `), log.message);
  }));
}

export function processView({ colonyname, client, params, navigate }) {
  const processid = params.get('id');
  const summary = h('div', {});
  const details = h('div', {});
  const actions = h('div', { class: 'row' });
  let finished = false;

  function renderActions(process) {
    const inWorkflow = process.processgraphid !== '';
    replace(actions,
      inWorkflow ? h('a', { class: 'button secondary', href: `#/colony/${encodeURIComponent(colonyname)}/workflow/${process.processgraphid}` }, 'Show workflow') : null,
      !inWorkflow && process.state <= 1 ? actionButton('Cancel', async () => {
        await client.cancelProcess({ processid });
        await live.now();
      }, { class: 'secondary' }) : null,
      !inWorkflow && process.state !== 1 ? actionButton('Remove', async () => {
        if (!confirm('Remove this process and its record?')) return;
        await client.removeProcess({ processid, all: false });
        navigate(`/colony/${encodeURIComponent(colonyname)}/processes?state=${process.state}`);
      }, { class: 'danger' }) : null);
  }

  async function refresh() {
    const [process, logs] = await Promise.all([
      client.getProcess({ processid }),
      client.getLogs({ colonyname, processid, count: LOG_PAGE }).catch((error) => ({ error })),
    ]);
    const spec = process.spec;
    replace(summary, h('div', { class: 'process-summary', id: 'process', dataset: { state: String(process.state) } },
      h('div', { class: 'title-row' }, h('h2', {}, spec.funcname || 'process'), stateBadge(process.state)),
      h('dl', { class: 'facts' },
        field('ID', h('code', { class: 'id' }, process.processid)),
        field('Submitted', [when(process.submissiontime), ' by ', process.initiatorname || shortId(process.initiatorid)]),
        field('Started', when(process.starttime)),
        field('Ended', when(process.endtime)),
        field('Waited', between(process.submissiontime, process.starttime) ?? '—'),
        field('Ran', between(process.starttime, process.endtime) ?? (process.state === 1 ? 'running…' : '—')),
        field('Executor', process.assignedexecutorid ? shortId(process.assignedexecutorid) : '—'),
        field('Executor type', spec.conditions.executortype || '—'),
        field('Retries', `${process.retries} of ${spec.maxretries < 0 ? 'unlimited' : spec.maxretries}`),
        isSet(process.execdeadline) && process.state === 1 ? field('Deadline', when(process.execdeadline)) : null,
        spec.label ? field('Label', spec.label) : null,
        process.processgraphid ? field('Workflow', shortId(process.processgraphid)) : null),
      actions));
    renderActions(process);
    replace(details,
      process.errors.length ? h('section', { class: 'card' }, h('h3', {}, 'Errors'),
        h('ul', { class: 'errors', id: 'errors' }, process.errors.map((e) => h('li', {}, e)))) : null,
      h('section', { class: 'card' }, h('h3', {}, 'Output'),
        process.out.length ? h('div', { id: 'output' }, json(process.out))
          : emptyLine(process.state >= 2 ? 'No output.' : 'No output yet.')),
      h('section', { class: 'card' }, h('h3', {}, 'Logs'),
        logs.error ? errorNote(logs.error, 'Logs unavailable:') : logsBlock(logs)),
      h('section', { class: 'card' }, h('h3', {}, 'Attributes'), attributesTable(process.attributes)),
      h('section', { class: 'card' }, h('h3', {}, 'Input'), process.in.length ? json(process.in) : emptyLine('No input from parents.')),
      h('section', { class: 'card' }, h('h3', {}, 'Function spec'), json(spec)));
    // A closed process changes no more: one last refresh picked up its final logs.
    if (process.state >= 2 && !finished) {
      finished = true;
      live.stop();
      replace(live.indicator, h('span', { class: 'dot' }), 'Final');
      live.indicator.className = 'live done';
    }
  }

  const live = poll(async () => {
    try {
      await refresh();
    } catch (error) {
      if (error?.status === 404) {
        live.stop();
        replace(summary, emptyState('No such process.', h('p', {}, 'It may have been removed.')));
        replace(details);
        return;
      }
      replace(summary, errorNote(error, 'The process could not be read.'));
      throw error;
    }
  });
  const node = h('div', {},
    h('section', { class: 'card' }, h('div', { class: 'card-header' },
      h('a', { href: `#/colony/${encodeURIComponent(colonyname)}/processes` }, '← Processes'), live.indicator), summary),
    details);
  return { node, dispose: live.stop };
}
