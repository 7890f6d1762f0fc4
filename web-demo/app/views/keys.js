// Identities: the vault (create, unlock, lock), keys in this tab, import and generate.
import { actionButton, copyText, emptyState, errorNote, h, replace } from '../dom.js';
import {
  addIdentity, generateIdentity, lock, removeIdentity, saveIdentity, session, useVault,
} from '../session.js';
import { createVault, destroyVault, openVault, unavailableReason, vaultExists } from '../vault.js';

/** The vault card: what state it is in and the one or two things to do about it. */
function vaultCard(rerender) {
  const card = h('section', { class: 'card', id: 'vault' }, h('h2', {}, 'Vault'));
  const reason = unavailableReason();
  if (reason) {
    card.append(h('p', { class: 'muted' }, `Keys can't be saved in this browser: ${reason}. They stay in this tab's memory until it closes.`));
    return card;
  }
  if (session.vault) {
    card.append(
      h('p', {}, h('span', { class: 'badge success' }, 'Unlocked'),
        ' Keys you save are stored encrypted (AES-GCM, key derived from your passphrase with PBKDF2) in this browser.'),
      h('div', { class: 'row' }, actionButton('Lock', () => lock(), { class: 'secondary' })));
    return card;
  }
  const body = h('div', {}, h('p', { class: 'muted' }, 'Looking for a vault…'));
  card.append(body);
  vaultExists().then((exists) => {
    const passphrase = h('input', {
      type: 'password', name: 'passphrase', autocomplete: exists ? 'current-password' : 'new-password',
      placeholder: exists ? 'Passphrase' : 'New passphrase (8+ characters)', required: true, minlength: 8,
    });
    const status = h('div', { role: 'status' });
    const submit = h('button', { type: 'submit' }, exists ? 'Unlock' : 'Create vault');
    const form = h('form', {
      class: 'row', onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        replace(status, h('p', { class: 'muted' }, exists ? 'Unlocking…' : 'Creating…'));
        try {
          const vault = exists ? await openVault(passphrase.value) : await createVault(passphrase.value);
          // Keys added to this tab before are not written to it unasked: each row offers "Save".
          await useVault(vault);
        } catch (error) {
          replace(status, errorNote(error));
        } finally {
          submit.disabled = false;
          passphrase.value = '';
        }
      },
    },
    // Password managers file the passphrase under this name.
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: 'Colonies Edge vault', hidden: true, readonly: true }),
    passphrase, submit);
    replace(body,
      h('p', {}, exists
        ? 'Your keys are stored encrypted in this browser. Unlock them with your passphrase.'
        : 'Save keys in this browser, encrypted with a passphrase only you know. Nothing is stored in plain text.'),
      form, status,
      exists ? h('details', { class: 'danger-zone' }, h('summary', {}, 'Forgot the passphrase?'),
        h('p', { class: 'muted' }, 'The keys cannot be recovered without it. You can delete the vault and start again.'),
        actionButton('Delete the vault and its keys', async () => {
          if (!confirm('Delete every key stored in this browser? This cannot be undone.')) return;
          await destroyVault();
          rerender();
        }, { class: 'danger' })) : null);
  }).catch((error) => replace(body, errorNote(error, 'The vault could not be read.')));
  return card;
}

function identityRow(identity) {
  const reveal = h('button', {
    type: 'button', class: 'link', onclick: (event) => {
      if (!confirm('Show the private key? Anyone who sees it can act as this identity.')) return;
      const hex = identity.key.toHex();
      const shown = h('code', { class: 'secret' }, hex);
      const copy = h('button', { type: 'button', class: 'link', onclick: () => copyText(hex, copy) }, 'Copy');
      event.target.replaceWith(h('span', {}, shown, ' ', copy));
    },
  }, 'Show private key');
  return h('tr', { dataset: { id: identity.id } },
    h('td', {}, h('strong', {}, identity.label)),
    h('td', {}, h('code', { class: 'id', title: identity.id }, identity.id)),
    h('td', {}, identity.saved
      ? h('span', { class: 'badge success' }, 'Saved')
      : h('span', { class: 'badge waiting', title: 'Forgotten when the tab closes' }, 'This tab only')),
    h('td', { class: 'actions' },
      reveal,
      !identity.saved && session.vault ? actionButton('Save to vault', () => saveIdentity(identity), { class: 'link' }) : null,
      actionButton(identity.saved ? 'Delete' : 'Remove', async () => {
        if (identity.saved && !confirm(`Delete "${identity.label}" from the vault? Keep a copy if you still need it.`)) return;
        await removeIdentity(identity.id, { forget: true });
      }, { class: 'link danger' })));
}

function importCard() {
  const label = h('input', { name: 'label', placeholder: 'Label, e.g. "dev colony owner"', autocomplete: 'off' });
  // Masked by CSS, not type=password: browsers offer to save password fields in their own
  // password store, which is no place for a private key.
  const hex = h('input', {
    name: 'privatekey', class: 'masked', placeholder: 'Private key: 64 hex characters', autocomplete: 'off',
    spellcheck: 'false', required: true, pattern: '[0-9a-fA-F]{64}', title: '64 hex characters',
  });
  const status = h('div', { role: 'status' });
  const save = h('input', { type: 'checkbox', name: 'save', checked: true });
  const form = h('form', {
    class: 'stack', onsubmit: async (event) => {
      event.preventDefault();
      replace(status);
      try {
        const identity = await addIdentity(hex.value, label.value.trim(), { save: save.checked });
        hex.value = '';
        label.value = '';
        replace(status, h('p', { class: 'note ok' }, `Added ${identity.label} (${identity.id.slice(0, 12)}…).`));
      } catch (error) {
        replace(status, errorNote(error));
      }
    },
  },
  h('label', {}, 'Label', label),
  h('label', {}, 'Private key', hex),
  session.vault ? h('label', { class: 'inline' }, save, ' Save it in the vault') :
    h('p', { class: 'muted' }, 'The vault is locked: the key is kept in this tab only.'),
  h('div', { class: 'row' },
    h('button', { type: 'submit' }, 'Import key'),
    actionButton('Generate a new key', async () => {
      const identity = await generateIdentity(label.value.trim() || 'new key', { save: save.checked });
      replace(status, h('p', { class: 'note ok' }, `Generated ${identity.label}: ID ${identity.id}. Show its private key below to copy it.`));
    }, { class: 'secondary' })),
  status);
  return h('section', { class: 'card' }, h('h2', {}, 'Add an identity'),
    h('p', { class: 'muted' }, 'A Colonies identity is a secp256k1 private key; its ID is what servers see. Import the key of a server owner, colony owner, user or executor.'),
    form);
}

export function keysView() {
  const root = h('div', { class: 'view' });
  function render() {
    const identities = [...session.identities.values()];
    replace(root,
      h('header', { class: 'view-header' }, h('h1', {}, 'Identities')),
      vaultCard(render),
      h('section', { class: 'card' }, h('h2', {}, 'In this tab'),
        identities.length === 0
          ? emptyState('No identities yet.', h('p', {}, session.vault || unavailableReason()
            ? 'Import a key or generate one below.'
            : 'Unlock the vault, or import a key below to use it in this tab only.'))
          : h('table', { class: 'table', id: 'identities' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Label'), h('th', {}, 'ID'), h('th', {}, 'Stored'), h('th', {}, ''))),
            h('tbody', {}, identities.map(identityRow)))),
      importCard());
  }
  render();
  return { node: root, onSessionChange: render };
}
