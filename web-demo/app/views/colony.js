// A colony: who this tab acts as in it, its tabs, and the way in for a colony owner (owners are
// not members by protocol, so the dashboard adds a user identity for them).
import { emptyState, errorNote, h, replace } from '../dom.js';
import {
  clientFor, colonyAccess, generateIdentity, refreshColony, removeIdentity, session,
} from '../session.js';
import { rememberColony } from './home.js';

export const TABS = [
  { id: 'processes', label: 'Processes' },
  { id: 'workflows', label: 'Workflows' },
  { id: 'executors', label: 'Executors' },
  { id: 'submit', label: 'Submit' },
  { id: 'mesh', label: 'Mesh' },
  { id: 'run', label: 'Run executor' },
];

/** The way in when no identity here is a member: a colony owner adds a user key for this tab. */
function joinCard(colonyname) {
  const identities = [...session.identities.values()];
  const status = h('div', { role: 'status' });
  const owner = h('select', { name: 'owner' }, identities.map((i) => h('option', { value: i.id }, i.label)));
  const username = h('input', { name: 'username', value: 'dashboard', required: true, pattern: '[A-Za-z0-9_.\\-]+' });
  const form = h('form', {
    class: 'stack', onsubmit: async (event) => {
      event.preventDefault();
      replace(status);
      const ownerIdentity = session.identities.get(owner.value);
      let user = null;
      try {
        user = await generateIdentity(`${colonyname} user ${username.value}`);
        await clientFor(ownerIdentity).addUser({
          user: { colonyname, userid: user.id, name: username.value, email: '', phone: '' },
        });
        refreshColony(colonyname);
      } catch (error) {
        // A key that was never registered is useless: drop it again.
        if (user) await removeIdentity(user.id, { forget: true }).catch(() => {});
        const hint = error?.status === 403 ? ` "${ownerIdentity.label}" does not own ${colonyname}.` : '';
        replace(status, errorNote(error, `The user was not added.${hint}`));
      }
    },
  },
  h('label', {}, 'Colony owner key', owner),
  h('label', {}, 'User name', username),
  h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Add me as a user')), status);
  return h('section', { class: 'card', id: 'join' },
    h('h2', {}, `You are not a member of ${colonyname}`),
    h('p', {}, 'Members (approved executors and users) read a colony and submit work. None of the keys in this tab is one.'),
    identities.length === 0
      ? emptyState('No identity in this tab.', h('p', {}, 'Add the colony owner key or a member key in ', h('a', { href: '#/keys' }, 'Identities'), '.'))
      : h('div', {}, h('p', { class: 'muted' },
        'If you own the colony: in Colonies the owner key approves executors but is not itself a member. ',
        'Add a user for this dashboard; its new key is saved with your others.'), form));
}

function accessChips(access) {
  return h('div', { class: 'chips' },
    h('span', { class: 'chip', title: access.reader.id }, 'Acting as ', h('strong', {}, access.reader.label)),
    access.owner
      ? h('span', { class: 'chip ok', title: access.owner.id }, 'Owner key: ', h('strong', {}, access.owner.label))
      : h('span', { class: 'chip', title: 'Approving executors needs the colony owner key' }, 'Owner key not in this tab'));
}

/** `views`: tab id → function(context) returning `{ node, dispose? }`. */
export function colonyView({ colonyname, tab, params, navigate, views }) {
  const root = h('div', { class: 'view' });
  let current = null;
  let generation = 0; // a render still waiting for the server is dropped when a newer one starts
  let shown = null; // the access the current tab was rendered with

  function dispose() {
    current?.dispose?.();
    current = null;
  }

  async function render() {
    dispose();
    shown = null;
    const mine = ++generation;
    const body = h('div', {}, h('p', { class: 'muted' }, 'Finding your access…'));
    replace(root, h('header', { class: 'view-header' },
      h('h1', {}, h('span', { class: 'muted' }, 'Colony '), colonyname)), body);
    let access;
    try {
      access = await colonyAccess(colonyname);
    } catch (error) {
      replace(body, errorNote(error, 'Could not reach the server.'));
      return;
    }
    if (mine !== generation) return;
    if (!access.reader) {
      replace(body, joinCard(colonyname));
      return;
    }
    rememberColony(colonyname);
    const active = views[tab] ? tab : 'processes';
    const nav = h('nav', { class: 'tabs', 'aria-label': 'Colony' }, TABS.map((t) => h('a', {
      href: `#/colony/${encodeURIComponent(colonyname)}/${t.id}`,
      class: t.id === active || (t.id === 'processes' && tab === 'process') || (t.id === 'workflows' && tab === 'workflow') ? 'active' : '',
      'aria-current': t.id === active ? 'page' : null,
    }, t.label)));
    const context = {
      colonyname, access, params, navigate,
      client: clientFor(access.reader),
      ownerClient: access.owner ? clientFor(access.owner) : null,
    };
    try {
      current = views[tab]?.(context) ?? views.processes(context);
      replace(body, accessChips(access), nav, current.node);
      shown = access;
    } catch (error) {
      replace(body, accessChips(access), nav, errorNote(error));
    }
  }

  // Whether the keys this tab acts with are as they were when it was rendered. A key made
  // inside the tab (registering an executor generates one) must not rebuild it mid-action:
  // the form would lose its status and the list it refreshes.
  function sameAccess() {
    if (!shown) return false;
    const has = (identity) => session.identities.has(identity.id);
    const ownerHere = shown.colony ? session.identities.has(shown.colony.colonyid) : false;
    return has(shown.reader) && (shown.owner ? has(shown.owner) : !ownerHere);
  }

  render();
  return {
    node: root,
    dispose() {
      generation++;
      dispose();
    },
    onSessionChange() {
      // A tab that can take a changed key list in place says so with its own onSessionChange.
      if (sameAccess() && current?.onSessionChange) current.onSessionChange();
      else render();
    },
  };
}
