// What this tab knows: the server URL, the unlocked identities (private keys in wasm memory,
// wiped when freed) and the vault they came from. Views subscribe to changes.
import { Client, PrivateKey } from '../vendor/colonies-edge/index.js';

const URL_KEY = 'colonies-edge-dashboard.server';
const listeners = new Set();

/** The server the dashboard talks to: where it was served from, unless set otherwise. */
function defaultUrl() {
  const saved = localStorage.getItem(URL_KEY);
  if (saved) return saved;
  return location.protocol.startsWith('http') ? location.origin : 'http://localhost:50080';
}

export const session = {
  url: defaultUrl(),
  /** @type {Map<string, {id: string, label: string, key: PrivateKey, saved: boolean}>} */
  identities: new Map(),
  /** The unlocked vault, or null (locked, or keys kept in memory only). */
  vault: null,
  /** Whether the user chose to go on without a vault in this tab. */
  memoryOnly: false,
};

const clients = new Map();

/** Calls `listener` after every change; returns the unsubscribe function. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function changed() {
  for (const listener of listeners) listener();
}

/** An unsigned client (version, server info, health). */
export function anonymousClient() {
  return new Client({ url: session.url });
}

/** The client signing as `identity` (cached per key and URL). */
export function clientFor(identity) {
  const cacheKey = `${session.url} ${identity.id}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new Client({ url: session.url, privateKey: identity.key });
    clients.set(cacheKey, client);
  }
  return client;
}

export function setServerUrl(url) {
  const trimmed = url.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(trimmed)) throw new Error('Enter the server as http(s)://host:port.');
  session.url = trimmed;
  if (trimmed === location.origin) localStorage.removeItem(URL_KEY);
  else localStorage.setItem(URL_KEY, trimmed);
  forgetRoles();
  changed();
}

/**
 * Adds a key to the session (and to the vault when it is unlocked and `save`): `hex` is 64
 * hex characters. Returns the identity.
 */
export async function addIdentity(hex, label, { save = true } = {}) {
  const key = PrivateKey.fromHex(hex.trim());
  const existing = session.identities.get(key.id);
  if (existing) {
    key.free();
    if (label && label !== existing.label) {
      existing.label = label;
      if (existing.saved && session.vault) await session.vault.put(existing.id, label, existing.key.toHex());
      changed();
    }
    return existing;
  }
  const identity = { id: key.id, label: label || `key ${key.id.slice(0, 8)}`, key, saved: false };
  if (save && session.vault) {
    await session.vault.put(identity.id, identity.label, hex.trim().toLowerCase());
    identity.saved = true;
  }
  session.identities.set(identity.id, identity);
  forgetRoles();
  changed();
  return identity;
}

/** A fresh key, added like `addIdentity`. */
export async function generateIdentity(label, options) {
  const key = PrivateKey.generate();
  const hex = key.toHex();
  key.free();
  return addIdentity(hex, label, options);
}

/** Stores an in-memory identity in the unlocked vault. */
export async function saveIdentity(identity) {
  if (!session.vault) throw new Error('Unlock or create the vault first.');
  await session.vault.put(identity.id, identity.label, identity.key.toHex());
  identity.saved = true;
  changed();
}

/** Removes an identity from this tab, and from the vault when `forget`. */
export async function removeIdentity(id, { forget = false } = {}) {
  const identity = session.identities.get(id);
  if (!identity) return;
  if (forget && identity.saved && session.vault) await session.vault.remove(id);
  session.identities.delete(id);
  for (const [cacheKey, client] of clients) {
    if (cacheKey.endsWith(` ${id}`)) {
      client.free();
      clients.delete(cacheKey);
    }
  }
  identity.key.free();
  forgetRoles();
  changed();
}

/** Loads every key of an unlocked vault into the session. */
export async function useVault(vault) {
  session.vault = vault;
  session.memoryOnly = false;
  for (const { hex, label } of await vault.list()) {
    const identity = await addIdentity(hex, label, { save: false });
    identity.saved = true;
  }
  changed();
}

/** Locks: drops the vault's key and every identity from memory. */
export async function lock() {
  for (const id of [...session.identities.keys()]) await removeIdentity(id);
  session.vault = null;
  session.memoryOnly = false;
  changed();
}

// ---- roles. The protocol has no "who am I" call; roles are learnt from read-only calls that
// succeed only for them, and cached until the identities or the server change. Each probe that
// fails costs a 403 in the network log, so the identity that worked last time (remembered by
// its public ID, per server and colony) is tried first, and probing stops at the first success.

const roles = { server: null, colonies: new Map() };
const REMEMBERED = 'colonies-edge-dashboard.roles';

function forgetRoles() {
  roles.server = null;
  roles.colonies.clear();
}

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(REMEMBERED) ?? '{}');
  } catch {
    return {};
  }
}

function remember(slot, id) {
  const all = remembered();
  all[`${session.url} ${slot}`] = id;
  localStorage.setItem(REMEMBERED, JSON.stringify(all));
}

/** Every identity, the one that held `slot` last time first. */
function candidates(slot) {
  const last = remembered()[`${session.url} ${slot}`];
  const all = [...session.identities.values()];
  return all.sort((a, b) => (b.id === last) - (a.id === last));
}

/** The first identity for which `probe` succeeds, or null; only server refusals are skipped. */
async function firstAllowed(slot, probe) {
  for (const identity of candidates(slot)) {
    try {
      const result = await probe(clientFor(identity));
      remember(slot, identity.id);
      return { identity, result };
    } catch (error) {
      if (error?.reason !== 'server') throw error; // unreachable: say so, don't guess
    }
  }
  return null;
}

function cached(map, key, compute) {
  let value = map.get(key);
  if (!value) {
    value = compute();
    map.set(key, value);
    value.catch(() => map.delete(key));
  }
  return value;
}

/** The identity that owns the server (`getcoloniesmsg` is for the server owner only), or null. */
export function serverOwner() {
  roles.server ??= firstAllowed('server', (client) => client.getColonies())
    .then((found) => found?.identity ?? null);
  roles.server.catch(() => { roles.server = null; });
  return roles.server;
}

/**
 * Who may do what in `colonyname`: `reader` (an approved executor or a user: reads and
 * submits), the `colony` (once a member has read it) and its `owner` identity (approves
 * executors), if unlocked here. A colony owner is not a member by protocol (§3).
 */
export function colonyAccess(colonyname) {
  return cached(roles.colonies, colonyname, async () => {
    const found = await firstAllowed(`colony ${colonyname}`, (client) => client.getColony({ colonyname }));
    const colony = found?.result ?? null;
    const owner = colony ? session.identities.get(colony.colonyid) ?? null : null;
    return { colonyname, colony, reader: found?.identity ?? null, owner };
  });
}

/** Forgets what is known about `colonyname` (after adding a user or an executor to it). */
export function refreshColony(colonyname) {
  roles.colonies.delete(colonyname);
  changed();
}
