// The colony's service mesh (protocol §15): the catalog as a tree (service → microservice →
// function), the endpoints with their live state, security policies and roles, and a form that
// invokes a function and follows it to its result. Every request is a `meshrequestmsg`: the
// mesh's REST request inside a Colonies envelope signed with a key of this tab (§15.7).
import { describeError, emptyLine, emptyState, h, replace } from '../dom.js';
import { json, shortId, when } from '../format.js';
import { poll } from '../live.js';
import { clientFor, session } from '../session.js';

const API = '/api/v1';
const ENDPOINT_POLL_MS = 5000;
const STATE_POLL_MS = 1000;
const FINAL_STATES = new Set(['completed', 'failed', 'cancelled']);
const FUNCTION_STATE_TONES = {
  pending: 'waiting', running: 'running', completed: 'success', failed: 'failed', cancelled: 'cancelled',
};

/** One mesh REST request over Colonies RPC, signed with `client`'s key; resolves to the REST body. */
export function meshRequest(client, colonyname, method, path, body = null) {
  return client.rpc('meshrequestmsg', { colonyname, method, path, body });
}

/** What a refused or failed mesh request means, for people. `action` names what was tried. */
export function meshErrorText(error, action = 'read') {
  if (error?.name !== 'ColoniesError' || error.reason !== 'server') return describeError(error);
  const message = error.message.replace(/\.$/, '');
  switch (error.status) {
    case 401:
      return `Not authenticated (HTTP 401): ${message}. The server did not accept this request's signature as a caller; `
        + 'check the server URL and that the key is one of this colony\'s.';
    case 403: {
      const permission = /grants ([a-z*:]+)/i.exec(message)?.[1];
      if (permission) {
        return `Access denied (HTTP 403): ${message}. Ask the colony owner for a role that grants ${permission} `
          + 'and lists this key among its members, or sign with a key that holds one.';
      }
      if (action === 'invoke') {
        return `Refused (HTTP 403): ${message}. Invoking submits a process on your behalf, so the key must be a member `
          + 'of the colony (a user or an approved executor); the colony owner key is not one.';
      }
      return `Refused (HTTP 403): ${message}.`;
    }
    case 404:
      return `Not found (HTTP 404): ${message}.`;
    case 422:
      return `The server did not accept the request (HTTP 422): ${message}.`;
    default:
      return `${message} (HTTP ${error.status}).`;
  }
}

function meshError(error, title, action) {
  return h('div', { class: 'note error', role: 'alert' }, title ? h('strong', {}, title, ' ') : null, meshErrorText(error, action));
}

function resourceTags(resources) {
  if (!resources) return [];
  return [
    resources.cpu !== undefined ? h('span', { class: 'tag', title: 'CPUs' }, `cpu ${resources.cpu}`) : null,
    resources.ram ? h('span', { class: 'tag', title: 'Memory' }, `ram ${resources.ram}`) : null,
  ];
}

function policyTag(policy) {
  if (!policy || (!policy.sp_id && !(policy.roles ?? []).length)) return null;
  const roles = (policy.roles ?? []).join(', ') || 'no roles';
  return h('span', {
    class: `tag ${policy.requires_authentication === false ? 'open' : ''}`,
    title: `Security policy ${policy.sp_id || '(unnamed)'}: roles ${roles}; `
      + (policy.requires_authentication === false ? 'anyone may read what it guards' : 'authentication required'),
  }, `policy ${policy.sp_id || '—'} · ${roles}${policy.requires_authentication === false ? ' · open to read' : ''}`);
}

function liveBadge(live) {
  if (!live) return h('span', { class: 'badge', dataset: { live: 'unknown' }, title: 'No live state read yet' }, 'unknown');
  const warm = live.state === 'warm';
  return h('span', {
    class: `badge ${warm ? 'success' : 'cancelled'} live-state`,
    dataset: { live: live.state },
    title: warm ? 'Its executor is approved and was heard from recently' : 'Its executor is missing, not approved, or silent',
  }, warm ? '● warm' : '○ cold');
}

/** The tree of services, microservices and functions; `onInvoke(id)` picks a function for the form. */
function catalogTree({ services, microservices, functions }, onInvoke) {
  const msById = new Map(microservices.map((m) => [m.microservice_id, m]));
  const fnById = new Map(functions.map((f) => [f.function_id, f]));
  const placedMs = new Set();
  const placedFn = new Set();

  // Listed children first (the parent's list), then records that name the parent themselves.
  const msOf = (service) => [...new Set([...(service.microservices ?? []),
    ...microservices.filter((m) => m.service_id === service.service_id).map((m) => m.microservice_id)])];
  const fnOf = (ms) => [...new Set([...(ms.functions ?? []),
    ...functions.filter((f) => f.microservice_id === ms.microservice_id).map((f) => f.function_id)])];

  function missing(kind, id) {
    return h('li', { class: 'tree-node missing', dataset: { kind, id } }, h('div', { class: 'node-row' },
      h('span', { class: `kind ${kind}` }, kind), h('code', {}, id),
      h('span', { class: 'muted small' }, 'listed, but not in the catalog (or not readable with this key)')));
  }

  function functionNode(id) {
    const f = fnById.get(id);
    if (!f) return missing('function', id);
    placedFn.add(id);
    const storage = f.storage ?? {};
    return h('li', { class: 'tree-node', dataset: { kind: 'function', id } }, h('div', { class: 'node-row' },
      h('span', { class: 'kind function' }, 'function'), h('strong', {}, id),
      f.image ? h('code', { class: 'muted', title: 'Image' }, f.image) : null,
      ...resourceTags(f.resources),
      storage.capacity ? h('span', { class: 'tag', title: `Storage: ${storage.source_path || '—'} → ${storage.sink_path || '—'}` },
        `storage ${storage.capacity}`) : null,
      // Colonies Edge, like CryptoMesh, keeps a function's endpoint out of its record; a server
      // that tells it gets it shown.
      f.endpoint_id ? h('span', { class: 'tag', title: 'The endpoint that runs it' }, 'on ', h('code', {}, f.endpoint_id)) : null,
      h('button', { type: 'button', class: 'small secondary', dataset: { invoke: id }, onclick: () => onInvoke(id) }, 'Invoke…')));
  }

  function microserviceNode(id) {
    const m = msById.get(id);
    if (!m) return missing('microservice', id);
    placedMs.add(id);
    const children = fnOf(m);
    return h('li', { class: 'tree-node', dataset: { kind: 'microservice', id } },
      h('div', { class: 'node-row' }, h('span', { class: 'kind microservice' }, 'microservice'), h('strong', {}, id),
        ...resourceTags(m.resources), h('span', { class: 'muted small' }, `${children.length} function${children.length === 1 ? '' : 's'}`)),
      children.length ? h('ul', { class: 'tree' }, children.map(functionNode)) : null);
  }

  function serviceNode(s) {
    const children = msOf(s);
    return h('li', { class: 'tree-node', dataset: { kind: 'service', id: s.service_id } },
      h('div', { class: 'node-row' }, h('span', { class: 'kind service' }, 'service'), h('strong', {}, s.service_id),
        ...resourceTags(s.resources), policyTag(s.security_policy),
        h('span', { class: 'muted small' }, `${children.length} microservice${children.length === 1 ? '' : 's'}`)),
      children.length ? h('ul', { class: 'tree' }, children.map(microserviceNode)) : null);
  }

  const tree = h('ul', { class: 'tree root', id: 'mesh-tree' }, services.map(serviceNode));
  // What no service reaches is shown too, so nothing readable is hidden.
  const looseMs = microservices.filter((m) => !placedMs.has(m.microservice_id));
  if (looseMs.length) {
    tree.append(h('li', { class: 'tree-node loose' }, h('div', { class: 'node-row muted' }, 'Microservices in no service'),
      h('ul', { class: 'tree' }, looseMs.map((m) => microserviceNode(m.microservice_id)))));
  }
  const looseFn = functions.filter((f) => !placedFn.has(f.function_id));
  if (looseFn.length) {
    tree.append(h('li', { class: 'tree-node loose' }, h('div', { class: 'node-row muted' }, 'Functions in no microservice'),
      h('ul', { class: 'tree' }, looseFn.map((f) => functionNode(f.function_id)))));
  }
  return tree;
}

/** `text` of an args or kwargs field as JSON of the `expect`ed kind, or the reason it is not. */
export function parseField(text, label, expect) {
  const example = expect === 'array' ? '[1, "text"]' : '{"key": "value"}';
  if (text.trim() === '') return { value: expect === 'array' ? [] : {} };
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `${label} is not valid JSON (${error.message}). Write a JSON ${expect}, e.g. ${example}.` };
  }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  if (expect === 'array' && !Array.isArray(value)) {
    return { problem: `${label} must be a JSON array, e.g. ${example}; this is ${kind}.` };
  }
  if (expect === 'object' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    return { problem: `${label} must be a JSON object, e.g. ${example}; this is ${kind}.` };
  }
  return { value };
}

/** The function result's `output` / `errors` (JSON text in metadata) as a value. */
function parseMeta(text) {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function meshView({ colonyname, access }) {
  // Who signs: the member this tab acts as (it may invoke), or the colony owner key (it may do
  // everything in the mesh but invoke, not being a member).
  const signers = [access.reader, access.owner].filter(Boolean)
    .filter((identity, i, all) => all.findIndex((o) => o.id === identity.id) === i);
  let signer = signers[0];
  let client = clientFor(signer);
  const request = (method, path, body) => meshRequest(client, colonyname, method, path, body);

  const signerSelect = h('select', {
    name: 'signer', id: 'mesh-signer',
    onchange: () => {
      signer = signers.find((s) => s.id === signerSelect.value) ?? signers[0];
      client = clientFor(signer);
      reload();
    },
  }, signers.map((s) => h('option', { value: s.id },
    s === access.owner ? `${s.label} (colony owner)` : `${s.label} (member)`)));

  const treeBody = h('div', {}, h('p', { class: 'muted' }, 'Loading the catalog…'));
  const endpointsBody = h('div', {}, h('p', { class: 'muted' }, 'Loading endpoints…'));
  const policiesBody = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const rolesBody = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const counts = h('span', { class: 'muted small' });

  // ---- invoke
  const fnSelect = h('select', { name: 'function', id: 'invoke-function', required: true });
  const argsInput = h('textarea', { name: 'invoke-args', rows: 2, class: 'code', spellcheck: 'false', placeholder: '[1, "text"]' }, '[]');
  const kwargsInput = h('textarea', { name: 'invoke-kwargs', rows: 2, class: 'code', spellcheck: 'false', placeholder: '{"key": "value"}' }, '{}');
  const invokeStatus = h('div', { role: 'status', id: 'invoke-status' });
  const invocation = h('div', { id: 'invocation-slot' });
  const invokeButton = h('button', { type: 'submit' }, 'Invoke');
  let following = null;

  function renderFunctionOptions(functions) {
    const chosen = fnSelect.value;
    replace(fnSelect, h('option', { value: '' }, functions.length ? 'Choose a function…' : 'No functions to invoke'),
      functions.map((f) => h('option', { value: f.function_id, selected: f.function_id === chosen },
        f.endpoint_id ? `${f.function_id} (on ${f.endpoint_id})` : f.function_id)));
    fnSelect.disabled = functions.length === 0;
  }

  function chooseFunction(id) {
    fnSelect.value = id;
    argsInput.focus();
    invokeForm.scrollIntoView({ block: 'nearest' });
  }

  function markInvalid(input, invalid) {
    if (invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  const invokeForm = h('form', {
    class: 'stack', id: 'invoke-form', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      replace(invokeStatus);
      const problems = [];
      const functionId = fnSelect.value;
      if (!functionId) problems.push('Choose the function to invoke.');
      const args = parseField(argsInput.value, 'Arguments', 'array');
      const kwargs = parseField(kwargsInput.value, 'Keyword arguments', 'object');
      markInvalid(argsInput, args.problem);
      markInvalid(kwargsInput, kwargs.problem);
      if (args.problem) problems.push(args.problem);
      if (kwargs.problem) problems.push(kwargs.problem);
      if (problems.length) {
        replace(invokeStatus, h('div', { class: 'note error', role: 'alert', id: 'invoke-problems' },
          h('strong', {}, 'Not invoked:'), h('ul', { class: 'problems' }, problems.map((p) => h('li', {}, p)))));
        return;
      }
      invokeButton.disabled = true;
      try {
        const invoked = await request('POST', `${API}/functions/${encodeURIComponent(functionId)}/invoke`,
          { args: args.value, kwargs: kwargs.value });
        follow(invoked);
      } catch (error) {
        replace(invokeStatus, meshError(error, `${functionId} was not invoked.`, 'invoke'));
      } finally {
        invokeButton.disabled = false;
        // A refusal or a success may follow a change of roles or catalog: show them as they are.
        reload();
      }
    },
  },
  h('label', {}, 'Function', fnSelect),
  h('div', { class: 'grid2' },
    h('label', {}, 'Arguments (JSON array)', argsInput),
    h('label', {}, 'Keyword arguments (JSON object)', kwargsInput)),
  h('div', { class: 'row' }, invokeButton), invokeStatus);

  /** Shows an invocation and follows its function state until it ends, then its result. */
  function follow(invoked) {
    following?.stop();
    const { function_id: functionId, process_id: processId, state_id: stateId, executorname } = invoked;
    const badge = h('span', {});
    const updated = h('span', {});
    const result = h('div', {}, emptyLine('No result yet: it appears when the process ends.'));
    const panel = h('div', { class: 'invocation', id: 'invocation', dataset: { state: 'pending' } },
      h('div', { class: 'title-row' }, h('strong', {}, 'Invocation of ', h('code', {}, functionId)), badge),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Process'), h('dd', {}, h('a', { href: `#/colony/${encodeURIComponent(colonyname)}/process/${processId}`, id: 'invoked-process' },
          h('code', { class: 'id' }, processId))),
        h('dt', {}, 'State ID'), h('dd', {}, h('code', { id: 'invoked-state' }, stateId)),
        h('dt', {}, 'Endpoint executor'), h('dd', {}, h('code', {}, executorname ?? '—')),
        h('dt', {}, 'State updated'), h('dd', {}, updated)),
      h('h3', {}, 'Result'), result);
    replace(invocation, panel);

    function showState(state) {
      panel.dataset.state = state.state;
      replace(badge, h('span', { class: `badge ${FUNCTION_STATE_TONES[state.state] ?? 'cancelled'}`, dataset: { state: state.state } }, state.state));
      replace(updated, when(state.timestamp));
    }

    let tries = 0;
    const live = poll(async () => {
      const state = await request('GET', `${API}/function-states/${encodeURIComponent(stateId)}`);
      showState(state);
      if (!FINAL_STATES.has(state.state)) return;
      let record;
      try {
        record = await request('GET', `${API}/function-results/${encodeURIComponent(processId)}`);
      } catch (error) {
        // Written with the process's end; give it a few more rounds before saying so.
        if (error?.status === 404 && ++tries < 5) return;
        replace(result, meshError(error, 'The result could not be read.'));
        finish();
        return;
      }
      const output = parseMeta(record.metadata?.output);
      const errors = parseMeta(record.metadata?.errors);
      replace(result,
        h('p', { class: 'muted small' }, 'Result ', h('code', {}, record.result_id), ', written ', when(record.timestamp), '.'),
        h('h4', {}, 'Output'),
        output === null || (Array.isArray(output) && output.length === 0) ? emptyLine('No output.') : h('div', { id: 'invoke-output' }, json(output)),
        Array.isArray(errors) && errors.length ? [h('h4', {}, 'Errors'), h('ul', { class: 'errors', id: 'invoke-errors' }, errors.map((e) => h('li', {}, String(e))))] : null);
      finish();
    }, STATE_POLL_MS);

    function finish() {
      live.stop();
      live.indicator.className = 'live done';
      replace(live.indicator, h('span', { class: 'dot' }), 'Final');
    }
    panel.querySelector('.title-row').append(live.indicator);
    following = live;
  }

  // ---- catalog, policies, roles: read on opening and on Refresh
  let generation = 0;
  async function reload() {
    const mine = ++generation;
    const kinds = ['services', 'microservices', 'functions', 'security-policies', 'roles'];
    const results = await Promise.allSettled(kinds.map((kind) => request('GET', `${API}/${kind}/`)));
    if (mine !== generation) return;
    const [services, microservices, functions, policies, roles] = results;
    renderCatalog(services, microservices, functions);
    renderPolicies(policies);
    renderRoles(roles);
    endpoints.now();
  }

  function renderCatalog(...settled) {
    const failed = settled.find((r) => r.status === 'rejected');
    const [services, microservices, functions] = settled.map((r) => (r.status === 'fulfilled' ? r.value ?? [] : []));
    renderFunctionOptions(functions);
    replace(counts, `${services.length} service${services.length === 1 ? '' : 's'} · ${microservices.length} microservice${microservices.length === 1 ? '' : 's'} · ${functions.length} function${functions.length === 1 ? '' : 's'}`);
    const empty = services.length + microservices.length + functions.length === 0;
    replace(treeBody,
      failed ? meshError(failed.reason, 'The catalog could not be read.') : null,
      empty && !failed ? emptyState('No services yet.',
        h('p', {}, 'Apply a policy file with ', h('code', {}, 'colonies-edge mesh apply FILE.yml'),
          ' (protocol §15.6), or create records through ', h('code', {}, '/api/v1'), '.')) : null,
      empty ? null : catalogTree({ services, microservices, functions }, chooseFunction));
  }

  function renderPolicies(settled) {
    if (settled.status === 'rejected') {
      replace(policiesBody, meshError(settled.reason, 'Security policies could not be read.'));
      return;
    }
    const policies = settled.value ?? [];
    replace(policiesBody, policies.length === 0
      ? emptyState('No security policies.', h('p', {}, 'Services and endpoints can also carry a policy of their own (shown in the tree).'))
      : h('table', { class: 'table', id: 'mesh-policies' },
        h('thead', {}, h('tr', {}, ['Policy', 'Roles', 'Authentication'].map((t) => h('th', {}, t)))),
        h('tbody', {}, policies.map((p) => h('tr', { dataset: { id: p.sp_id } },
          h('td', {}, h('code', {}, p.sp_id)),
          h('td', {}, (p.roles ?? []).map((r) => h('span', { class: 'tag' }, r))),
          h('td', {}, p.requires_authentication === false
            ? h('span', { class: 'badge waiting', title: 'Anyone may read what it guards; writing and invoking still need a role' }, 'not required to read')
            : h('span', { class: 'badge success' }, 'required')))))));
  }

  function renderRoles(settled) {
    if (settled.status === 'rejected') {
      replace(rolesBody, meshError(settled.reason, 'Roles could not be read.'));
      return;
    }
    const roles = settled.value ?? [];
    const member = (id) => {
      const mine = session.identities.get(id);
      return h('span', { class: 'member' }, shortId(id), mine ? h('span', { class: 'tag you' }, `in this tab: ${mine.label}`) : null);
    };
    replace(rolesBody, roles.length === 0
      ? emptyState('No roles yet.', h('p', {}, 'Until a role grants permissions to members, only the colony owner may act on the mesh (protocol §15.3).'))
      : h('table', { class: 'table', id: 'mesh-roles' },
        h('thead', {}, h('tr', {}, ['Role', 'Permissions', 'Members'].map((t) => h('th', {}, t)))),
        h('tbody', {}, roles.map((r) => h('tr', { dataset: { id: r.role_id, name: r.name } },
          h('td', {}, h('strong', {}, r.name), r.description ? h('div', { class: 'muted small' }, r.description) : null,
            h('div', { class: 'small' }, shortId(r.role_id))),
          h('td', {}, (r.permissions ?? []).length
            ? (r.permissions ?? []).map((p) => h('span', { class: 'tag perm', title: p === '*' ? 'every permission' : null }, p))
            : h('span', { class: 'muted' }, 'none')),
          h('td', {}, (r.members ?? []).length
            ? h('div', { class: 'members' }, (r.members ?? []).map(member))
            : h('span', { class: 'muted' }, 'nobody')))))));
  }

  // ---- endpoints and their live states, every 5 s while the page is shown
  const endpoints = poll(async () => {
    let records;
    let states;
    try {
      [records, states] = await Promise.all([
        request('GET', `${API}/endpoints/`),
        request('GET', `${API}/endpoint-states/`),
      ]);
    } catch (error) {
      replace(endpointsBody, meshError(error, 'Endpoints could not be read.'));
      throw error;
    }
    records ??= [];
    states ??= [];
    const live = states.filter((s) => s.metadata?.source === 'executor');
    const recorded = states.filter((s) => s.metadata?.source !== 'executor');
    const liveStates = new Map(live.map((s) => [s.endpoint_id, s]));
    const ids = [...new Set([...records.map((e) => e.endpoint_id), ...live.map((s) => s.endpoint_id)])];
    const byId = new Map(records.map((e) => [e.endpoint_id, e]));
    replace(endpointsBody,
      ids.length === 0 ? emptyState('No endpoints yet.',
        h('p', {}, 'An endpoint runs functions: it is the colony\'s executor named as the endpoint\'s id (protocol §15.4).'))
        : h('table', { class: 'table', id: 'mesh-endpoints' },
          h('thead', {}, h('tr', {}, ['Endpoint', 'Image', 'Resources', 'State', 'Executor', 'Last heard from'].map((t) => h('th', {}, t)))),
          h('tbody', {}, ids.map((id) => {
            const e = byId.get(id);
            const s = liveStates.get(id);
            const meta = s?.metadata ?? {};
            return h('tr', { dataset: { endpoint: id, live: s?.state ?? 'unknown' } },
              h('td', {}, h('strong', {}, id), e?.name && e.name !== id ? h('div', { class: 'muted small' }, e.name) : null),
              h('td', {}, e?.image ? h('code', {}, e.image) : '—'),
              h('td', {}, resourceTags(e?.resources), policyTag(e?.security_policy)),
              h('td', {}, liveBadge(s)),
              h('td', {}, meta.executorname ? h('code', {}, meta.executorname) : '—',
                meta.executorstate ? h('div', { class: 'muted small' }, meta.executorstate === 'missing'
                  ? 'no executor of that name' : meta.executorstate) : null),
              h('td', {}, when(meta.lastheardfrom)));
          }))),
      recorded.length ? [h('h3', {}, 'Recorded endpoint states'),
        h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, ['State ID', 'Endpoint', 'State', 'Written'].map((t) => h('th', {}, t)))),
          h('tbody', {}, recorded.map((s) => h('tr', {},
            h('td', {}, shortId(s.state_id)), h('td', {}, h('code', {}, s.endpoint_id)),
            h('td', {}, s.state), h('td', {}, when(s.timestamp))))))] : null);
  }, ENDPOINT_POLL_MS);

  reload();

  const refresh = h('button', { type: 'button', class: 'small secondary', id: 'mesh-refresh', onclick: () => reload() }, 'Refresh');
  const node = h('div', { id: 'mesh' },
    h('div', { class: 'chips' },
      h('label', { class: 'inline chip' }, 'Mesh requests signed by ', signerSelect),
      h('span', { class: 'muted small' }, 'The colony owner may do everything in the mesh but invoke; members need a role.')),
    h('section', { class: 'card' }, h('div', { class: 'card-header' },
      h('h2', {}, 'Catalog'), h('div', { class: 'row' }, counts, refresh)), treeBody),
    h('section', { class: 'card' }, h('div', { class: 'card-header' }, h('h2', {}, 'Endpoints'), endpoints.indicator), endpointsBody),
    h('section', { class: 'card' }, h('h2', {}, 'Invoke a function'),
      h('p', { class: 'muted' }, 'Submits a process to the function\'s endpoint on your behalf; its state is followed until it ends.'),
      invokeForm, invocation),
    h('section', { class: 'card' }, h('h2', {}, 'Security policies'), policiesBody),
    h('section', { class: 'card' }, h('h2', {}, 'Roles'), rolesBody));

  return {
    node,
    dispose() {
      generation++;
      endpoints.stop();
      following?.stop();
    },
  };
}
