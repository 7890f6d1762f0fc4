// The built package against a running Colonies server (ours or Go's): submit, assign, close,
// a workflow, a subscription, and the Executor loop.
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
  return { name, executorname, server, owner, executor };
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
