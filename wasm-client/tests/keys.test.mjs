// The built package (wasm-client/pkg) against every case of the core's crypto vectors, through
// both entry points: `node.js` (initialised on import) and `index.js` (init from bytes).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  ColoniesError, PrivateKey, idOfPublicKey, recoverId, recoverPublicKey, sha3, verify,
} from '../pkg/node.js';

const vectors = JSON.parse(
  await readFile(new URL('../../core/tests/vectors/crypto-vectors.json', import.meta.url), 'utf8'));

test('every key gives the vector public key and ID', () => {
  assert.equal(vectors.keys.length, 10);
  for (const v of vectors.keys) {
    const key = PrivateKey.fromHex(v.prvkey);
    assert.equal(key.toHex(), v.prvkey, v.label);
    assert.equal(key.publicKey, v.pubkey, v.label);
    assert.equal(key.id, v.id, v.label);
    assert.equal(idOfPublicKey(v.pubkey), v.id, v.label);
    assert.notEqual(key.id, v.id_if_hashing_raw_65_bytes_WRONG);
    assert.equal(PrivateKey.fromHex(v.prvkey.toUpperCase()).id, v.id, v.label);
  }
});

test('every signature is byte-exact, recovers and verifies', () => {
  assert.equal(vectors.signatures.length, 30);
  for (const v of vectors.signatures) {
    const key = PrivateKey.fromHex(v.prvkey);
    assert.equal(sha3(v.msg), v.sha3_256, v.msg);
    assert.equal(key.sign(v.msg), v.signature, v.msg);
    assert.equal(recoverId(v.msg, v.signature), v.recovered_id, v.msg);
    assert.equal(recoverPublicKey(v.msg, v.signature), v.recovered_pubkey, v.msg);
    assert.ok(verify(v.recovered_pubkey, v.msg, v.signature), v.msg);
    assert.ok(!verify(v.recovered_pubkey, `${v.msg}!`, v.signature), v.msg);
  }
});

test('negative cases: rejected, or recovered exactly as the core and Go do', () => {
  assert.equal(vectors.negative.length, 10);
  for (const v of vectors.negative) {
    const recover = () => recoverId(v.msg, v.signature);
    if (v.expectation === 'reject') {
      assert.throws(recover, (e) => e instanceof ColoniesError && e.reason === 'input', v.label);
      assert.ok(!verify(idOfPublicKeyOrNull(v) ?? '', v.msg, v.signature), v.label);
    } else if (v.expectation === 'accept-but-different-id') {
      assert.equal(recover(), v.coincurve_recovered_id, v.label);
      assert.notEqual(recover(), v.true_id, v.label);
    } else {
      // "accept-same-id", and v = 4..7 which Go also accepts (see the core's RecoveryId).
      assert.equal(recover(), v.true_id, v.label);
    }
  }
});

function idOfPublicKeyOrNull(v) {
  return vectors.keys.find((k) => k.prvkey === v.prvkey)?.pubkey ?? null;
}

test('upstream vectors (Go and pycolonies sources)', () => {
  for (const v of vectors.upstream_vectors) {
    if (v.msg && v.sha3_256) assert.equal(sha3(v.msg), v.sha3_256, v.source);
    if (v.prvkey && v.id) assert.equal(PrivateKey.fromHex(v.prvkey).id, v.id, v.source);
    if (v.prvkey && v.msg && v.signature) {
      assert.equal(recoverId(v.msg, v.signature), PrivateKey.fromHex(v.prvkey).id, v.source);
      if (v.source.includes('(RFC6979)')) assert.equal(PrivateKey.fromHex(v.prvkey).sign(v.msg), v.signature);
    }
  }
});

test('bad keys throw ColoniesError with reason "input"', () => {
  for (const bad of ['', 'zz', '0'.repeat(64), 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141']) {
    assert.throws(() => PrivateKey.fromHex(bad), (e) =>
      e instanceof ColoniesError && e instanceof Error && e.status === 400 && e.reason === 'input');
  }
});

test('generated keys are fresh and sign', () => {
  const a = PrivateKey.generate();
  const b = PrivateKey.generate();
  assert.match(a.toHex(), /^[0-9a-f]{64}$/);
  assert.notEqual(a.id, b.id);
  assert.equal(recoverId('payload', a.sign('payload')), a.id);
});

test('the web entry initialises from bytes', async () => {
  const web = await import('../pkg/index.js');
  const bytes = await readFile(new URL('../pkg/colonies_edge_bg.wasm', import.meta.url));
  await web.default({ module_or_path: bytes });
  assert.equal(web.PrivateKey.fromHex(vectors.keys[0].prvkey).id, vectors.keys[0].id);
  assert.equal(web.ProcessState.Success, 2);
});

test('recovery speed in this build (informational)', () => {
  const v = vectors.signatures[0];
  const rounds = 200;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) recoverId(v.msg, v.signature);
  const us = ((performance.now() - start) * 1000) / rounds;
  console.log(`# recoverId: ${us.toFixed(0)} µs per call`);
  assert.ok(us < 5000);
});
