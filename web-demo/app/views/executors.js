// Executors of a colony: approve or reject them with the colony owner key, register new ones.
import { actionButton, emptyState, errorNote, h, replace } from '../dom.js';
import { EXECUTOR_STATES, shortId, stateBadge, when } from '../format.js';
import { poll } from '../live.js';
import { generateIdentity, removeIdentity } from '../session.js';

export function executorsView({ colonyname, client, ownerClient, access }) {
  const list = h('div', {});

  function actions(executor) {
    if (!ownerClient) return null;
    const name = executor.executorname;
    const approve = () => ownerClient.approveExecutor({ colonyname, executorname: name }).then(() => live.now());
    const reject = () => ownerClient.rejectExecutor({ colonyname, executorname: name }).then(() => live.now());
    return h('td', { class: 'actions' },
      executor.state !== 1 && executor.state !== 3 ? actionButton('Approve', approve, { class: 'small', dataset: { action: 'approve' } }) : null,
      executor.state === 0 || executor.state === 1 ? actionButton('Reject', reject, { class: 'small secondary', dataset: { action: 'reject' } }) : null);
  }

  async function refresh() {
    const executors = await client.getExecutors({ colonyname });
    if (executors.length === 0) {
      replace(list, emptyState('No executors in this colony yet.',
        h('p', {}, ownerClient ? 'Register one below, or run one in this tab (Run executor).'
          : 'The colony owner registers executors; their keys then ask for work.')));
      return;
    }
    // Pending first: they are what the owner has to act on.
    executors.sort((a, b) => (a.state === 0 ? -1 : 0) - (b.state === 0 ? -1 : 0) || a.executorname.localeCompare(b.executorname));
    replace(list, h('table', { class: 'table', id: 'executors' },
      h('thead', {}, h('tr', {}, ['Name', 'Type', 'State', 'ID', 'Location', 'Last heard from', 'Registered', ownerClient ? '' : null]
        .filter((t) => t !== null).map((t) => h('th', {}, t)))),
      h('tbody', {}, executors.map((e) => h('tr', { dataset: { executorname: e.executorname } },
        h('td', {}, h('strong', {}, e.executorname)), h('td', {}, e.executortype),
        h('td', {}, stateBadge(e.state, EXECUTOR_STATES)), h('td', {}, shortId(e.executorid)),
        h('td', {}, e.locationname || '—'), h('td', {}, when(e.lastheardfromtime)), h('td', {}, when(e.commissiontime)),
        actions(e))))));
  }

  const live = poll(async () => {
    try {
      await refresh();
    } catch (error) {
      replace(list, errorNote(error, 'Executors could not be listed.'));
      throw error;
    }
  }, 3000);

  const register = ownerClient ? registerForm(colonyname, ownerClient, () => live.now()) : h('p', { class: 'muted' },
    `Approving and registering executors needs the colony owner key (ID ${access.colony?.colonyid.slice(0, 12) ?? '?'}…) in this tab.`);
  const node = h('div', {},
    h('section', { class: 'card' }, h('div', { class: 'card-header' }, h('h2', {}, 'Executors'), live.indicator), list),
    h('section', { class: 'card' }, h('h2', {}, 'Register an executor'), register));
  return { node, dispose: live.stop };
}

function registerForm(colonyname, ownerClient, refresh) {
  const name = h('input', { name: 'executorname', required: true, placeholder: 'Name, e.g. browser-1', pattern: '[A-Za-z0-9_.\\-]+' });
  const type = h('input', { name: 'executortype', required: true, value: 'browser' });
  const approve = h('input', { type: 'checkbox', name: 'approve', checked: true });
  const status = h('div', { role: 'status' });
  return h('form', {
    class: 'stack', onsubmit: async (event) => {
      event.preventDefault();
      replace(status);
      let identity = null;
      try {
        identity = await generateIdentity(`${colonyname} executor ${name.value}`);
        await ownerClient.addExecutor({ executor: {
          executorid: identity.id, executortype: type.value, executorname: name.value, colonyname,
        } });
        if (approve.checked) await ownerClient.approveExecutor({ colonyname, executorname: name.value });
        replace(status, h('p', { class: 'note ok' }, `Registered ${name.value}. Its key "${identity.label}" is in Identities; use it in Run executor.`));
        refresh();
      } catch (error) {
        if (identity) await removeIdentity(identity.id, { forget: true }).catch(() => {});
        replace(status, errorNote(error, 'Not registered.'));
      }
    },
  },
  h('p', { class: 'muted' }, 'A new key is generated for the executor and kept with your identities.'),
  h('div', { class: 'grid2' }, h('label', {}, 'Name', name), h('label', {}, 'Executor type', type)),
  h('label', { class: 'inline' }, approve, ' Approve it now'),
  h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Register executor')), status);
}
