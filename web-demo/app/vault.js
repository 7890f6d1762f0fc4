// The key vault: private keys stored in IndexedDB, each encrypted with AES-256-GCM under a key
// derived from the user's passphrase (PBKDF2-SHA-256). Nothing secret is stored in plain text,
// the derived key is non-extractable and lives only in this tab's memory while unlocked, and a
// wrong passphrase is told apart from an empty vault by an encrypted check value.

const DB_NAME = 'colonies-edge-dashboard';
const STORE = 'vault';
const META = 'meta';
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about half a second in a browser. */
const ITERATIONS = 600_000;
const CHECK = 'colonies-edge vault v1';

/** Why the vault cannot be used here. */
export function unavailableReason() {
  if (!globalThis.indexedDB) return 'this browser has no IndexedDB (private mode?)';
  if (!globalThis.crypto?.subtle) {
    return 'WebCrypto needs a secure context: open the dashboard over HTTPS or on localhost';
  }
  return null;
}

/** Thrown by `openVault` for a passphrase that does not decrypt the vault. */
export class WrongPassphrase extends Error {
  constructor() {
    super('Wrong passphrase.');
    this.name = 'WrongPassphrase';
  }
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let database;
function db() {
  database ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
    open.onblocked = () => reject(new Error('the vault is being upgraded in another tab; close it and retry'));
  });
  return database;
}

async function store(mode) {
  return (await db()).transaction(STORE, mode).objectStore(STORE);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function derive(passphrase, salt, iterations) {
  const material = await crypto.subtle.importKey('raw', encoder.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

// The record's name is the associated data, so a ciphertext moved to another slot fails to open.
async function seal(key, name, text) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(name) }, key, encoder.encode(text));
  return { iv, data: new Uint8Array(data) };
}

async function open(key, name, sealed) {
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.iv, additionalData: encoder.encode(name) }, key, sealed.data);
  return decoder.decode(plain);
}

/** Whether a vault was created in this browser. */
export async function vaultExists() {
  if (unavailableReason()) return false;
  return (await request((await store('readonly')).get(META))) !== undefined;
}

/** Creates an empty vault locked by `passphrase`, replacing any earlier one. */
export async function createVault(passphrase) {
  if (passphrase.length < 8) throw new Error('Use a passphrase of at least 8 characters.');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await derive(passphrase, salt, ITERATIONS);
  const check = await seal(key, META, CHECK);
  const objects = await store('readwrite');
  await request(objects.clear());
  await request(objects.put({ salt, iterations: ITERATIONS, check }, META));
  return new Vault(key);
}

/** Unlocks the vault; throws `WrongPassphrase`. */
export async function openVault(passphrase) {
  const meta = await request((await store('readonly')).get(META));
  if (!meta) throw new Error('There is no vault in this browser yet.');
  const key = await derive(passphrase, meta.salt, meta.iterations);
  try {
    if ((await open(key, META, meta.check)) !== CHECK) throw new WrongPassphrase();
  } catch {
    throw new WrongPassphrase();
  }
  return new Vault(key);
}

/** Deletes the vault and every key in it. */
export async function destroyVault() {
  await request((await store('readwrite')).clear());
}

/** An unlocked vault. */
export class Vault {
  #key;

  constructor(key) {
    this.#key = key;
  }

  /** Every stored key: `{ id, label, hex }`, oldest first. */
  async list() {
    const objects = await store('readonly');
    const [names, records] = await Promise.all([request(objects.getAllKeys()), request(objects.getAll())]);
    const keys = [];
    for (let i = 0; i < names.length; i++) {
      if (names[i] === META) continue;
      const record = records[i];
      keys.push({ id: record.id, label: record.label, added: record.added, hex: await open(this.#key, names[i], record.sealed) });
    }
    return keys.sort((a, b) => a.added - b.added);
  }

  /** Stores (or relabels) a key. */
  async put(id, label, hex) {
    const name = `key:${id}`;
    const sealed = await seal(this.#key, name, hex);
    const objects = await store('readwrite');
    const before = await request(objects.get(name));
    await request(objects.put({ id, label, added: before?.added ?? Date.now(), sealed }, name));
  }

  /** Forgets a key. */
  async remove(id) {
    await request((await store('readwrite')).delete(`key:${id}`));
  }
}
