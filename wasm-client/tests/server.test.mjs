// The built package against a running Colonies server (ours or Go's): submit, assign, close,
// a workflow, a subscription, the Executor loop, and replay protection (bound requests; ours
// only: a Go server sends no serverid).
//   COLONIES_TEST_URL=http://127.0.0.1:50080 COLONIES_TEST_SERVER_KEY=<server owner key hex> \
//     node --experimental-websocket --test wasm-client/tests/server.test.mjs
// Without COLONIES_TEST_URL every test is skipped, saying so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, Executor, PrivateKey, ProcessState } from '../pkg/node.js';

const url = process.env.COLONIES_TEST_URL;
const serverKey = process.env.COLONIES_TEST_SERVER_KEY;
const skip = !url
  ? 'COLONIES_TEST_URL is not set: start a server (colonies-edge serve) and set it to run these'
  : !serverKey
    ? 'COLONIES_TEST_SERVER_KEY (the server owner key) is not set'
    : false;

/** A fresh colony with one approved executor; clients for the owner and the executor. */
async function colony() {
  const colonyKey = PrivateKey.generate();
  const executorKey = PrivateKey.generate();
  const name = `wasm-${colonyKey.id.slice(0, 12)}`;
  const server = new Client({ url, privateKey: serverKey });
  const owner = new Client({ url, privateKey: colonyKey });
  const executor = new Client({ url, privateKey: executorKey });
  await server.addColony({ colony: { colonyid: colonyKey.id, name } });
  const executorname = `browser-${executorKey.id.slice(0, 8)}`;
  await owner.addExecutor({
    executor: { executorid: executorKey.id, executortype: 'wasm', executorname, colonyname: name },
  });
  await owner.approveExecutor({ colonyname: name, executorname });
  return { name, executorname, executorKey, server, owner, executor };
}

const spec = (colonyname, funcname, extra = {}) => ({
  funcname, args: [2], maxexectime: 10, maxwaittime: -1, maxretries: 0,
  conditions: { colonyname, executortype: 'wasm' }, ...extra,
});

test('submit, assign, close successful, read back', { skip }, async () => {
  const { name, executor, server } = await colony();
  try {
    const submitted = await executor.submitFunctionSpec({ spec: spec(name, 'echo') });
    assert.equal(submitted.state, ProcessState.Waiting);
    const assigned = await executor.assign({ colonyname: name, timeout: 5 });
    assert.equal(assigned.processid, submitted.processid);
    await executor.addLog({ processid: assigned.processid, message: 'hello from wasm' });
    await executor.closeSuccessful({ processid: assigned.processid, out: ['done'] });
    const done = await executor.getProcess({ processid: submitted.processid });
    assert.equal(done.state, ProcessState.Success);
    assert.deepEqual(done.out, ['done']);
    const logs = await executor.getLogs({ colonyname: name, processid: submitted.processid, count: 10 });
    assert.deepEqual(logs.map((l) => l.message), ['hello from wasm']);
    await assert.rejects(executor.assign({ colonyname: name, timeout: -1 }), { status: 404, reason: 'server' });
  } finally {
    await server.removeColony({ colonyname: name });
  }
});

test('a failed close and a workflow graph', { skip }, async () => {
  const { name, executor, server } = await colony();
  try {
    const graph = await executor.submitWorkflowSpec({
      spec: {
        colonyname: name,
        functionspecs: [
          spec(name, 'first', { nodename: 'a' }),
          spec(name, 'second', { nodename: 'b', conditions: { colonyname: name, executortype: 'wasm', dependencies: ['a'] } }),
        ],
      },
    });
    assert.equal(graph.processids.length, 2);
    const first = await executor.assign({ colonyname: name, timeout: 5 });
    assert.equal(first.spec.funcname, 'first');
    await executor.closeSuccessful({ processid: first.processid, out: [1] });
    const second = await executor.assign({ colonyname: name, timeout: 5 });
    assert.equal(second.spec.funcname, 'second');
    assert.deepEqual(second.in, [1]);
    await executor.closeFailed({ processid: second.processid, errors: ['no'] });
    const read = await executor.getProcessGraph({ processgraphid: graph.processgraphid });
    assert.equal(read.state, ProcessState.Failed);
  } finally {
    await server.removeColony({ colonyname: name });
  }
});

test('subscribeProcess yields the process when it succeeds', { skip: skip || (!globalThis.WebSocket && 'no WebSocket: run Node with --experimental-websocket') }, async () => {
  const { name, executor, server } = await colony();
  try {
    const submitted = await executor.submitFunctionSpec({ spec: spec(name, 'watched') });
    const subscription = executor.subscribeProcess({
      colonyname: name, processid: submitted.processid, executortype: 'wasm', state: ProcessState.Success, timeout: 10,
    });
    const assigned = await executor.assign({ colonyname: name, timeout: 5 });
    await executor.closeSuccessful({ processid: assigned.processid, out: [] });
    let seen;
    for await (const process of subscription) {
      seen = process;
      break;
    }
    assert.equal(seen?.processid, submitted.processid);
    assert.equal(seen.state, ProcessState.Success);
  } finally {
    await server.removeColony({ colonyname: name });
  }
});

test('subscribeChannel yields existing and new entries, then ends', { skip: skip || (!globalThis.WebSocket && 'no WebSocket: run Node with --experimental-websocket') }, async () => {
  const { name, executor, server } = await colony();
  try {
    const submitted = await executor.submitFunctionSpec({ spec: spec(name, 'chat', { channels: ['chat'] }) });
    const assigned = await executor.assign({ colonyname: name, timeout: 5 });
    const payload = (text) => Buffer.from(text).toString('base64');
    await executor.channelAppend({ processid: assigned.processid, name: 'chat', sequence: 1, payload: payload('first') });
    const subscription = executor.subscribeChannel({ processid: submitted.processid, name: 'chat', afterseq: 0, timeout: 3 });
    const seen = [];
    let appended = false;
    for await (const entries of subscription) {
      if (entries.length === 0) break;
      seen.push(...entries.map((e) => Buffer.from(e.payload, 'base64').toString()));
      if (!appended) {
        appended = true;
        await executor.channelAppend({ processid: assigned.processid, name: 'chat', sequence: 2, payload: payload('second') });
      }
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, ['first', 'second']);
  } finally {
    await server.removeColony({ colonyname: name });
  }
});

test('an Executor runs submitted functions until stopped', { skip }, async () => {
  const { name, executor, server } = await colony();
  try {
    const worker = new Executor(executor, { colonyname: name, assignTimeout: 1 })
      .register('square', (process) => process.spec.args[0] ** 2);
    const loop = worker.start();
    const submitted = await executor.submitFunctionSpec({ spec: spec(name, 'square') });
    let process;
    for (let i = 0; i < 100; i++) {
      process = await executor.getProcess({ processid: submitted.processid });
      if (process.state === ProcessState.Success) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await worker.stop();
    await loop;
    assert.deepEqual(process.out, [4]);
  } finally {
    await server.removeColony({ colonyname: name });
  }
});

// ---- replay protection: what the package POSTs is bound, and a copy of it is refused.

/** Skips the replay tests on a server that tells no `serverid` (Go's): requests go unbound there. */
const replaySkip = skip || ((await new Client({ url }).getServerInfo().catch(() => ({}))).serverid
  ? false
  : 'the server tells no serverid (a Go server): the package sends unbound requests to it');

/** The envelopes the package POSTs while `body` runs (it calls the global `fetch` with a Request). */
async function capturing(body) {
  const original = globalThis.fetch;
  const posted = [];
  globalThis.fetch = async (input, init) => {
    if (input instanceof Request && input.method === 'POST') {
      const text = await input.clone().text();
      const envelope = JSON.parse(text);
      posted.push({ text, envelope, json: JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) });
    }
    return original(input, init);
  };
  try {
    await body();
  } finally {
    globalThis.fetch = original;
  }
  return posted;
}

/** POSTs `text` as is: the HTTP status, the reply's error flag and its decoded payload. */
async function post(text) {
  const response = await fetch(`${url}/api`, { method: 'POST', body: text });
  const reply = JSON.parse(await response.text());
  return { status: response.status, error: reply.error, payload: JSON.parse(Buffer.from(reply.payload, 'base64').toString()) };
}

test('calls are bound to the server: a captured request POSTed again is refused as replayed', { skip: replaySkip }, async () => {
  const { name, executor, server } = await colony();
  try {
    const { serverid } = await new Client({ url }).getServerInfo();
    assert.match(serverid, /^[0-9a-f]{64}$/);
    const posted = await capturing(async () => {
      await executor.submitFunctionSpec({ spec: spec(name, 'captured') });
      await executor.getColony({ colonyname: name });
    });
    assert.deepEqual(posted.map((p) => p.envelope.payloadtype), ['getserverinfomsg', 'submitfuncspecmsg', 'getcolonymsg'],
      'the client asks the server ID once, on its first signed call');
    const [, submit, read] = posted;
    assert.notEqual(submit.json.nonce, read.json.nonce);
    assert.match(submit.json.nonce, /^[0-9a-f]{32}$/);
    assert.equal(submit.json.audience, serverid);
    assert.ok(Math.abs(submit.json.signedat - Date.now()) < 60_000);
    const replayed = await post(submit.text);
    assert.equal(replayed.status, 403);
    assert.equal(replayed.error, true);
    assert.match(replayed.payload.message, /^replay protection: replayed/);
    const waiting = await executor.getProcesses({ colonyname: name, state: ProcessState.Waiting, count: 10 });
    assert.deepEqual(waiting.map((p) => p.spec.funcname), ['captured'], 'one process, not two');
  } finally {
    await server.removeColony({ colonyname: name });
  }
});

test('a client whose audience is out of date (changeserveridmsg) recovers after one refresh', { skip: replaySkip }, async () => {
  const { name, executor, server } = await colony();
  const original = PrivateKey.fromHex(serverKey);
  const next = PrivateKey.generate();
  let owner = server;
  try {
    await executor.getColony({ colonyname: name }); // the audience is now the server's ID
    await server.changeServerId({ serverid: next.id });
    owner = new Client({ url, privateKey: next });
    assert.equal((await new Client({ url }).getServerInfo()).serverid, next.id);
    const posted = await capturing(async () => {
      assert.equal((await executor.getColony({ colonyname: name })).name, name);
    });
    assert.deepEqual(posted.map((p) => [p.envelope.payloadtype, p.json.audience]), [
      ['getcolonymsg', original.id],
      ['getserverinfomsg', undefined],
      ['getcolonymsg', next.id],
    ]);
    const again = await capturing(() => executor.getColony({ colonyname: name }));
    assert.deepEqual(again.map((p) => p.json.audience), [next.id], 'the new ID is kept');
  } finally {
    if (owner !== server) await owner.changeServerId({ serverid: original.id });
    await server.removeColony({ colonyname: name });
  }
});

test('with replayBinding: false requests carry no nonce (served in compat mode, refused in strict)', { skip }, async () => {
  const { name, server } = await colony();
  try {
    const unbound = new Client({ url, privateKey: serverKey, replayBinding: false });
    let colonies;
    let refused;
    const posted = await capturing(async () => {
      colonies = await unbound.getColonies().catch((error) => { refused = error; });
    });
    assert.deepEqual(posted.map((p) => p.envelope.payloadtype), ['getcoloniesmsg'], 'no server info asked');
    for (const field of ['nonce', 'signedat', 'audience']) assert.equal(field in posted[0].json, false, field);
    if (refused) {
      // COLONIES_REPLAY_PROTECTION=strict: every other test here passes then, so every call
      // the package makes by default is bound.
      assert.match(refused.message, /^replay protection: fields missing/);
      return;
    }
    assert.ok(colonies.some((c) => c.name === name));
    // Such a request can be replayed: compat mode serves unbound requests, as Colonies does.
    const replayed = await post(posted[0].text);
    assert.equal(replayed.status, 200);
    assert.equal(replayed.error, false);
  } finally {
    await server.removeColony({ colonyname: name });
  }
});

test('a subscription frame is bound too', { skip: replaySkip || (!globalThis.WebSocket && 'no WebSocket: run Node with --experimental-websocket') }, async () => {
  const { name, executor, executorKey, server } = await colony();
  const frames = [];
  class Recording extends globalThis.WebSocket {
    send(data) {
      frames.push(JSON.parse(data));
      super.send(data);
    }
  }
  try {
    // A new client: its audience is asked while the socket opens.
    const watcher = new Client({ url, privateKey: executorKey, WebSocket: Recording });
    const submitted = await executor.submitFunctionSpec({ spec: spec(name, 'watched') });
    const subscription = watcher.subscribeProcess({
      colonyname: name, processid: submitted.processid, executortype: 'wasm', state: ProcessState.Success, timeout: 10,
    });
    const assigned = await executor.assign({ colonyname: name, timeout: 5 });
    await executor.closeSuccessful({ processid: assigned.processid, out: [] });
    let seen;
    for await (const process of subscription) {
      seen = process;
      break;
    }
    assert.equal(seen?.processid, submitted.processid);
    assert.equal(frames.length, 1);
    const json = JSON.parse(Buffer.from(frames[0].payload, 'base64').toString());
    assert.equal(json.msgtype, 'subscribeprocessmsg');
    assert.match(json.nonce, /^[0-9a-f]{32}$/);
    assert.equal(json.audience, (await new Client({ url }).getServerInfo()).serverid);
  } finally {
    await server.removeColony({ colonyname: name });
  }
});
