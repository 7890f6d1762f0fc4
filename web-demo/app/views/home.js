// The start page: the server, its colonies (for the server owner) or a colony opened by name.
import { actionButton, emptyState, errorNote, h, replace } from '../dom.js';
import { shortId } from '../format.js';
import {
  anonymousClient, clientFor, generateIdentity, serverOwner, session, setServerUrl,
} from '../session.js';

const RECENT = 'colonies-edge-dashboard.recent';

/** Colony names opened before on this server (names only; nothing secret). */
export function recentColonies() {
  try {
    return JSON.parse(localStorage.getItem(RECENT) ?? '{}')[session.url] ?? [];
  } catch {
    return [];
  }
}

export function rememberColony(name) {
  let all = {};
  try {
    all = JSON.parse(localStorage.getItem(RECENT) ?? '{}');
  } catch {
    // A damaged entry is replaced.
  }
  all[session.url] = [name, ...(all[session.url] ?? []).filter((n) => n !== name)].slice(0, 8);
  localStorage.setItem(RECENT, JSON.stringify(all));
}

function serverCard() {
  const info = h('p', { class: 'muted' }, 'Asking the server…');
  anonymousClient().version()
    .then((v) => replace(info, 'Server version ', h('strong', {}, v.buildversion || 'unknown'),
      v.buildtime ? ` built ${v.buildtime}` : ''))
    .catch((error) => replace(info, errorNote(error, 'Not reachable.')));
  const url = h('input', { name: 'server', value: session.url, type: 'url', required: true });
  const status = h('div', { role: 'status' });
  return h('section', { class: 'card' }, h('h2', {}, 'Server'), info,
    h('form', {
      class: 'row', onsubmit: (event) => {
        event.preventDefault();
        try {
          setServerUrl(url.value);
        } catch (error) {
          replace(status, errorNote(error));
        }
      },
    }, url, h('button', { type: 'submit', class: 'secondary' }, 'Connect')),
    status);
}

function openColonyForm(navigate) {
  const name = h('input', { name: 'colonyname', placeholder: 'Colony name', required: true, autocomplete: 'off' });
  const recent = recentColonies();
  return h('div', { class: 'stack' },
    h('form', {
      class: 'row', onsubmit: (event) => {
        event.preventDefault();
        navigate(`/colony/${encodeURIComponent(name.value.trim())}`);
      },
    }, name, h('button', { type: 'submit' }, 'Open colony')),
    recent.length ? h('p', { class: 'muted' }, 'Recent: ', recent.map((n, i) => [
      i ? ', ' : '', h('a', { href: `#/colony/${encodeURIComponent(n)}` }, n)])) : null);
}

function coloniesTable(colonies) {
  if (colonies.length === 0) return emptyState('No colonies on this server yet.', h('p', {}, 'Add the first one below.'));
  return h('table', { class: 'table', id: 'colonies' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Colony'), h('th', {}, 'Owner ID'), h('th', {}, 'Owner key here'))),
    h('tbody', {}, colonies.map((colony) => h('tr', {},
      h('td', {}, h('a', { href: `#/colony/${encodeURIComponent(colony.name)}` }, colony.name)),
      h('td', {}, shortId(colony.colonyid)),
      h('td', {}, session.identities.get(colony.colonyid)?.label ?? h('span', { class: 'muted' }, 'no'))))));
}

function addColonyForm(owner, onAdded) {
  const name = h('input', { name: 'newcolony', placeholder: 'New colony name', required: true, pattern: '[A-Za-z0-9_.\\-]+' });
  const status = h('div', { role: 'status' });
  return h('form', {
    class: 'stack', onsubmit: async (event) => {
      event.preventDefault();
      replace(status);
      try {
        // The colony's identity is a new key: the colony owner. It is kept like any other.
        const colonyOwner = await generateIdentity(`${name.value} owner`);
        await clientFor(owner).addColony({ colony: { colonyid: colonyOwner.id, name: name.value } });
        replace(status, h('p', { class: 'note ok' }, `Colony ${name.value} added; its owner key "${colonyOwner.label}" is in Identities.`));
        onAdded();
      } catch (error) {
        replace(status, errorNote(error, 'The colony was not added.'));
      }
    },
  }, h('div', { class: 'row' }, name, h('button', { type: 'submit' }, 'Add colony')),
  h('p', { class: 'muted' }, 'A new owner key is generated for the colony (saved in the vault when it is unlocked).'),
  status);
}

export function homeView({ navigate }) {
  const root = h('div', { class: 'view' });
  // While the server owner's table is shown: its owner and how to list again.
  let listed = null;
  function render() {
    listed = null;
    const colonies = h('section', { class: 'card' }, h('h2', {}, 'Colonies'));
    replace(root, h('header', { class: 'view-header' }, h('h1', {}, 'Overview')), serverCard(), colonies);
    if (session.identities.size === 0) {
      colonies.append(emptyState('No identity in this tab.',
        h('p', {}, 'Add a key in ', h('a', { href: '#/keys' }, 'Identities'), ' (or unlock your vault) to see colonies.')),
      openColonyForm(navigate));
      return;
    }
    const body = h('div', {}, h('p', { class: 'muted' }, 'Checking which of your keys owns this server…'));
    colonies.append(body);
    serverOwner().then(async (owner) => {
      if (!owner) {
        replace(body,
          h('p', { class: 'muted' }, 'Only the server owner can list colonies. Open one you belong to or own:'),
          openColonyForm(navigate));
        return;
      }
      const list = h('div', {});
      // Lists overlap (a key generated while a colony is added lists too): the last one
      // started is the one shown, so a list begun before the add cannot hide the new colony.
      let latest = 0;
      const refresh = async () => {
        const mine = ++latest;
        try {
          const found = await clientFor(owner).getColonies();
          if (mine === latest) replace(list, coloniesTable(found));
        } catch (error) {
          if (mine === latest) replace(list, errorNote(error, 'Colonies could not be listed.'));
        }
      };
      listed = { owner, refresh };
      replace(body, h('p', { class: 'muted' }, `Listed with the server owner key "${owner.label}".`),
        list, addColonyForm(owner, refresh), h('h3', {}, 'Open by name'), openColonyForm(navigate));
      await refresh();
    }).catch((error) => replace(body, errorNote(error), openColonyForm(navigate)));
  }
  // A key added or removed while the owner's table is shown (adding a colony generates its
  // owner key) only changes the table's last column: list again, keep the form and its status.
  function onSessionChange() {
    if (listed && session.identities.has(listed.owner.id)) {
      listed.refresh();
      return;
    }
    render();
  }
  render();
  return { node: root, onSessionChange };
}
