// Submit a function spec: a form for the common fields, or the raw JSON of the whole spec;
// both edit the same object, so switching keeps what was typed.
import { errorNote, h, replace } from '../dom.js';

const EXAMPLE = (colonyname) => ({
  funcname: 'echo',
  args: ['hello'],
  kwargs: {},
  priority: 0,
  maxwaittime: -1,
  maxexectime: 60,
  maxretries: 3,
  label: '',
  conditions: { colonyname, executortype: 'browser' },
  env: {},
});

function parseJson(text, what, expect) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: ${error.message}`);
  }
  if (expect === 'array' && !Array.isArray(value)) throw new Error(`${what}: expected a JSON array, e.g. ["a", 1]`);
  if (expect === 'object' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new Error(`${what}: expected a JSON object, e.g. {"key": "value"}`);
  }
  return value;
}

function integer(input, what) {
  const value = Number(input.value);
  if (!Number.isInteger(value)) throw new Error(`${what}: expected a whole number`);
  return value;
}

export function submitView({ colonyname, client, navigate }) {
  let spec = EXAMPLE(colonyname);
  const status = h('div', { role: 'status' });
  const inputs = {
    funcname: h('input', { name: 'funcname', required: true }),
    executortype: h('input', { name: 'executortype', required: true }),
    args: h('textarea', { name: 'args', rows: 2, spellcheck: 'false' }),
    kwargs: h('textarea', { name: 'kwargs', rows: 2, spellcheck: 'false' }),
    priority: h('input', { name: 'priority', type: 'number', min: -50000, max: 50000, step: 1 }),
    maxwaittime: h('input', { name: 'maxwaittime', type: 'number', step: 1 }),
    maxexectime: h('input', { name: 'maxexectime', type: 'number', step: 1 }),
    maxretries: h('input', { name: 'maxretries', type: 'number', step: 1 }),
    label: h('input', { name: 'label' }),
  };
  const raw = h('textarea', { name: 'raw', rows: 18, class: 'code', spellcheck: 'false' });
  let mode = 'form';

  function toForm() {
    inputs.funcname.value = spec.funcname ?? '';
    inputs.executortype.value = spec.conditions?.executortype ?? '';
    inputs.args.value = JSON.stringify(spec.args ?? []);
    inputs.kwargs.value = JSON.stringify(spec.kwargs ?? {});
    for (const key of ['priority', 'maxwaittime', 'maxexectime', 'maxretries']) inputs[key].value = String(spec[key] ?? 0);
    inputs.label.value = spec.label ?? '';
  }

  /** The spec from the form, merged into the current one so fields the form lacks survive. */
  function fromForm() {
    return {
      ...spec,
      funcname: inputs.funcname.value.trim(),
      args: parseJson(inputs.args.value || '[]', 'Arguments', 'array'),
      kwargs: parseJson(inputs.kwargs.value || '{}', 'Keyword arguments', 'object'),
      priority: integer(inputs.priority, 'Priority'),
      maxwaittime: integer(inputs.maxwaittime, 'Max wait time'),
      maxexectime: integer(inputs.maxexectime, 'Max exec time'),
      maxretries: integer(inputs.maxretries, 'Max retries'),
      label: inputs.label.value,
      conditions: { ...spec.conditions, colonyname, executortype: inputs.executortype.value.trim() },
    };
  }

  function current() {
    return mode === 'form' ? fromForm() : parseJson(raw.value, 'Function spec', 'object');
  }

  const formPane = h('div', { class: 'stack', id: 'spec-form' },
    h('div', { class: 'grid2' },
      h('label', {}, 'Function', inputs.funcname),
      h('label', {}, 'Executor type', inputs.executortype)),
    h('label', {}, 'Arguments (JSON array)', inputs.args),
    h('label', {}, 'Keyword arguments (JSON object)', inputs.kwargs),
    h('div', { class: 'grid4' },
      h('label', {}, 'Priority', inputs.priority),
      h('label', { title: 'Seconds to wait for an executor; -1: forever' }, 'Max wait (s)', inputs.maxwaittime),
      h('label', { title: 'Seconds an executor may run it; -1: unlimited' }, 'Max exec (s)', inputs.maxexectime),
      h('label', { title: 'Retries after an expired run; -1: unlimited' }, 'Max retries', inputs.maxretries)),
    h('label', {}, 'Label', inputs.label));
  const rawPane = h('div', { class: 'stack', id: 'spec-raw', hidden: true },
    h('p', { class: 'muted' }, 'The whole FunctionSpec (protocol §5.4); conditions.colonyname is set to this colony.'), raw);

  const modeButtons = ['form', 'json'].map((m) => h('button', {
    type: 'button', role: 'tab', class: 'seg', 'aria-selected': String(m === mode), dataset: { mode: m },
    onclick: () => {
      if (m === mode) return;
      try {
        spec = current();
      } catch (error) {
        replace(status, errorNote(error, 'Fix this first:'));
        return;
      }
      replace(status);
      mode = m;
      if (mode === 'form') toForm();
      else raw.value = JSON.stringify(spec, null, 2);
      formPane.hidden = mode !== 'form';
      rawPane.hidden = mode !== 'json';
      for (const b of modeButtons) b.setAttribute('aria-selected', String(b.dataset.mode === mode));
    },
  }, m === 'form' ? 'Form' : 'Raw JSON'));

  const submit = h('button', { type: 'submit' }, 'Submit');
  const form = h('form', {
    class: 'stack', onsubmit: async (event) => {
      event.preventDefault();
      replace(status);
      let request;
      try {
        request = current();
        request.conditions = { ...request.conditions, colonyname };
        if (!request.funcname) throw new Error('Function: required');
      } catch (error) {
        replace(status, errorNote(error, 'Not submitted:'));
        return;
      }
      submit.disabled = true;
      try {
        spec = request;
        const process = await client.submitFunctionSpec({ spec: request });
        navigate(`/colony/${encodeURIComponent(colonyname)}/process/${process.processid}`);
      } catch (error) {
        replace(status, errorNote(error, 'Not submitted:'));
      } finally {
        submit.disabled = false;
      }
    },
  }, h('div', { class: 'segmented', role: 'tablist' }, modeButtons), formPane, rawPane,
  h('div', { class: 'row' }, submit), status);

  toForm();
  const node = h('section', { class: 'card' }, h('h2', {}, 'Submit a function spec'),
    h('p', { class: 'muted' }, 'An executor of the given type in this colony picks it up. Run one in this tab under Run executor.'), form);
  return { node };
}
