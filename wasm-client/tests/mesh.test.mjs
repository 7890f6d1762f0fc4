// The mesh API's credentials from the built package: bearer tokens (createToken) and signed
// requests (signMeshRequest) read back as a server reads them: the claim, and the signer's ID
// recovered from the signature over the claim's base64url text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ColoniesError, PrivateKey, createToken, recoverId, sha3, signMeshRequest } from '../pkg/node.js';

const key = PrivateKey.generate();
const SERVER = 'b1f0c3';

/** `<claim>.<signature>` → the claim's JSON and who signed it. */
function unseal(sealed) {
  const [claim, signature] = sealed.split('.');
  assert.match(signature, /^[0-9a-f]{130}$/);
  const json = JSON.parse(Buffer.from(claim, 'base64url').toString('utf8'));
  return { json, signer: recoverId(claim, signature) };
}

test('createToken: a token for a colony and a server, signed by the key, expiring', () => {
  const before = Date.now();
  const token = createToken(key.toHex(), 'dev', SERVER, 3600);
  const { json, signer } = unseal(token);
  assert.equal(signer, key.id);
  assert.equal(json.typ, 'colonies-edge/token');
  assert.equal(json.colonyname, 'dev');
  assert.equal(json.audience, SERVER);
  assert.ok(json.issuedat >= before && json.issuedat <= Date.now());
  assert.equal(json.expiresat - json.issuedat, 3_600_000);
});

test('createToken: at most 24 hours, a key, a colony and a server', () => {
  assert.ok(createToken(key.toHex(), 'dev', SERVER, 86400));
  for (const ttl of [0, -1, 86401, Number.NaN, Infinity]) {
    assert.throws(() => createToken(key.toHex(), 'dev', SERVER, ttl),
      (e) => e instanceof ColoniesError && e.reason === 'input' && /ttlSeconds/.test(e.message), `${ttl}`);
  }
  assert.throws(() => createToken('nope', 'dev', SERVER, 60), (e) => e.reason === 'input');
  assert.throws(() => createToken(key.toHex(), '', SERVER, 60), (e) => e.reason === 'input');
  assert.throws(() => createToken(key.toHex(), 'dev', '', 60), (e) => e.reason === 'input');
});

test('signMeshRequest: covers method, path and body, once', () => {
  const body = JSON.stringify({ args: [1], kwargs: {} });
  const path = '/api/v1/functions/load_data/invoke';
  const header = signMeshRequest(key.toHex(), 'dev', 'post', path, body, SERVER);
  assert.match(header, /^Colonies-Signature /);
  const { json, signer } = unseal(header.slice('Colonies-Signature '.length));
  assert.equal(signer, key.id);
  assert.equal(json.typ, 'colonies-edge/request');
  assert.deepEqual(
    [json.colonyname, json.method, json.path, json.bodydigest, json.audience],
    ['dev', 'POST', path, sha3(body), SERVER]);
  assert.match(json.nonce, /^[0-9a-f]{32}$/);
  assert.ok(Math.abs(json.signedat - Date.now()) < 5000);
  // A fresh nonce every time: a server accepts each signature once.
  const again = signMeshRequest(key.toHex(), 'dev', 'POST', path, body, SERVER);
  assert.notEqual(unseal(again.slice(19)).json.nonce, json.nonce);
  // No body: the digest of nothing.
  const get = signMeshRequest(key.toHex(), 'dev', 'GET', '/api/v1/services/?x=1', '', SERVER);
  assert.equal(unseal(get.slice(19)).json.bodydigest, sha3(''));
  assert.throws(() => signMeshRequest(key.toHex(), 'dev', 'GET', 'api/v1', '', SERVER),
    (e) => e.reason === 'input');
});
