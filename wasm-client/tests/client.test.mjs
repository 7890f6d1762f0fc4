// The built package's Client and Executor against a scripted in-process HTTP server: what goes
// on the wire (envelope, signature, msgtype) and how replies, errors and time-outs come back.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { Client, ColoniesError, Executor, PrivateKey, recoverId } from '../pkg/node.js';

const key = PrivateKey.fromHex('6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a');
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64');
const reply = (payloadtype, value) => JSON.stringify({ payloadtype, payload: b64(value), error: false });
const failure = (status, message) =>
  JSON.stringify({ payloadtype: 'error', payload: b64({ status, message }), error: true });

/** Requests seen, decoded; and the handler deciding each answer. */
const seen = [];
let answer = () => [500, failure(500, 'no handler')];
/**
 * `getserverinfomsg` is answered here, not by `answer`: with `serverId` when set (undefined: no
 * `serverid`, as a Go server answers, so clients send unbound requests); `infoAsked` counts them.
 */
let serverId;
let infoAsked = 0;
let infoFails = false;
let server;
let url;

before(async () => {
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method === 'GET' && req.url === '/health') return res.end();
    const envelope = JSON.parse(body);
    if (envelope.payloadtype === 'getserverinfomsg') {
      infoAsked++;
      if (infoFails) return res.writeHead(500).end(failure(500, 'database error'));
      return res.end(reply('getserverinfomsg', { buildversion: 'script', buildtime: '', serverid: serverId, backends: null }));
    }
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
    const request = { ...envelope, json: payload, caller: envelope.signature ? recoverId(envelope.payload, envelope.signature) : null };
    seen.push(request);
    const result = await answer(request);
    if (!result) return; // hang: the client's timeout must fire
    const [status, text] = result;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.closeAllConnections() || server.close());

test('a typed call signs base64 of the payload with msgtype from the core registry', async () => {
  answer = () => [200, reply('getprocessmsg', { processid: 'p1', state: 1, attributes: null, in: null, out: null, errors: null, parents: null, children: null, spec: { funcname: 'f', args: null, kwargs: null, env: null, conditions: { executornames: null, dependencies: null } } })];
  const client = new Client({ url: `${url}/`, privateKey: key });
  const process = await client.getProcess({ processid: 'p1' });
  const request = seen.at(-1);
  assert.equal(request.payloadtype, 'getprocessmsg');
  assert.deepEqual(request.json, { processid: 'p1', msgtype: 'getprocessmsg' });
  assert.equal(request.caller, key.id);
  // Go's null lists and maps arrive as [] and {}.
  assert.deepEqual(process.attributes, []);
  assert.deepEqual([process.in, process.out, process.errors, process.parents, process.children], [[], [], [], [], []]);
  assert.deepEqual(process.spec.args, []);
  assert.deepEqual(process.spec.kwargs, {});
  assert.deepEqual(process.spec.env, {});
  assert.deepEqual(process.spec.conditions.executornames, []);
});

test('a null list reply is [], an empty reply is undefined, msgtype cannot be overridden', async () => {
  const client = new Client({ url, privateKey: key.toHex() });
  answer = () => [200, reply('getcoloniesmsg', null)];
  assert.deepEqual(await client.getColonies(), []);
  answer = () => [200, reply('approveexecutormsg', {})];
  assert.equal(await client.approveExecutor({ colonyname: 'c', executorname: 'e', msgtype: 'removecolonymsg' }), undefined);
  assert.equal(seen.at(-1).json.msgtype, 'approveexecutormsg');
});

test('version and getServerInfo go unsigned; others need a key', async () => {
  const client = new Client({ url });
  answer = () => [200, reply('versionmsg', { buildversion: 'v1', buildtime: 't', msgtype: 'versionmsg' })];
  assert.equal((await client.version()).buildversion, 'v1');
  assert.equal(seen.at(-1).signature, '');
  await assert.rejects(client.getColonies(), { name: 'ColoniesError', reason: 'input', status: 400 });
});

test('error envelopes become ColoniesError with the server status and message', async () => {
  const client = new Client({ url, privateKey: key });
  answer = () => [404, failure(404, 'No process available for assignment')];
  await assert.rejects(client.assign({ colonyname: 'c', timeout: -1 }), (e) =>
    e instanceof ColoniesError && e instanceof Error && e.status === 404 && e.reason === 'server' &&
    e.message === 'No process available for assignment');
  // The flag decides, not the HTTP status.
  answer = () => [200, failure(403, 'Access denied')];
  await assert.rejects(client.getColony({ colonyname: 'c' }), { status: 403, reason: 'server' });
  answer = () => [502, '<html>bad gateway</html>'];
  await assert.rejects(client.getColony({ colonyname: 'c' }), { reason: 'protocol', status: 0 });
});

test('time-outs and aborts are reported as such', async () => {
  const client = new Client({ url, privateKey: key, timeoutMs: 150 });
  answer = () => null;
  await assert.rejects(client.getColony({ colonyname: 'c' }), { reason: 'timeout' });
  const controller = new AbortController();
  const call = client.getColony({ colonyname: 'c' }, { signal: controller.signal, timeoutMs: 5000 });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(call, { reason: 'aborted' });
});

test('assign waits its long poll beyond the client timeout', async () => {
  const client = new Client({ url, privateKey: key, timeoutMs: 100 });
  answer = () => new Promise((resolve) => setTimeout(() => resolve([200, reply('assignprocessmsg', { processid: 'p2', spec: { funcname: 'f' } })]), 300));
  const process = await client.assign({ colonyname: 'c', timeout: 1 });
  assert.equal(process.processid, 'p2');
  assert.deepEqual(seen.at(-1).json, { colonyname: 'c', timeout: 1, msgtype: 'assignprocessmsg' });
});

test('rpc() sends any payloadtype; health() checks /health', async () => {
  const client = new Client({ url, privateKey: key });
  answer = () => [200, reply('getnodesmsg', [{ name: 'n' }])];
  assert.deepEqual(await client.rpc('getnodesmsg', { colonyname: 'c' }), [{ name: 'n' }]);
  assert.deepEqual(seen.at(-1).json, { colonyname: 'c', msgtype: 'getnodesmsg' });
  assert.equal(await client.health(), true);
});

test('Executor: assign → handler → close, failures closed as failed, retries with backoff', async () => {
  const queue = [
    { processid: 'ok', spec: { funcname: 'double', args: [21] } },
    { processid: 'boom', spec: { funcname: 'explode', args: [] } },
    { processid: 'unknown', spec: { funcname: 'nobody', args: [] } },
  ];
  let unavailable = 1; // one 503 (assignments paused) before work arrives
  answer = ({ payloadtype, json }) => {
    if (payloadtype === 'assignprocessmsg') {
      if (unavailable-- > 0) return [503, failure(503, 'paused')];
      const next = queue.shift();
      return next ? [200, reply(payloadtype, next)] : [404, failure(404, 'No process available')];
    }
    if (payloadtype === 'addlogmsg' || payloadtype === 'closesuccessfulmsg' || payloadtype === 'closefailedmsg') {
      return [200, reply(payloadtype, {})];
    }
    return [500, failure(500, `unexpected ${payloadtype} ${JSON.stringify(json)}`)];
  };
  const events = [];
  const client = new Client({ url, privateKey: key });
  const executor = new Executor(client, {
    colonyname: 'c', assignTimeout: 1, backoff: { initialMs: 10, maxMs: 20 },
    onEvent: (event) => events.push(event),
  })
    .register('double', async (process, context) => {
      context.progress(50);
      await context.log('doubling');
      return process.spec.args[0] * 2;
    })
    .register('explode', () => { throw new Error('kaboom'); });
  assert.deepEqual(executor.functions, ['double', 'explode']);
  const loop = executor.start();
  while (queue.length || !events.some((e) => e.type === 'failed' && e.process.processid === 'unknown')) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await executor.stop();
  await loop;
  assert.equal(executor.running, false);
  const closes = seen.filter((r) => r.payloadtype.startsWith('close')).map((r) => [r.payloadtype, r.json]);
  assert.deepEqual(closes.slice(-3), [
    ['closesuccessfulmsg', { processid: 'ok', out: [42], msgtype: 'closesuccessfulmsg' }],
    ['closefailedmsg', { processid: 'boom', errors: ['kaboom'], msgtype: 'closefailedmsg' }],
    ['closefailedmsg', { processid: 'unknown', errors: ['no handler for function "nobody"'], msgtype: 'closefailedmsg' }],
  ]);
  const types = events.map((e) => e.type);
  assert.ok(types.includes('error'), 'the 503 was reported');
  assert.deepEqual(events.find((e) => e.type === 'progress').value, 50);
  assert.deepEqual(events.find((e) => e.type === 'succeeded').output, [42]);
  assert.equal(types.at(-1), 'stopped');
});

// ---- replay protection (docs/protocol.md): nonce, signedat and audience in every signed payload

const SERVER_A = 'a'.repeat(64);
const SERVER_B = 'b'.repeat(64);
const BINDING = ['nonce', 'signedat', 'audience'];
const bindingOf = (json) => Object.fromEntries(BINDING.filter((f) => f in json).map((f) => [f, json[f]]));
const refusal = (words) => [403, failure(403, `replay protection: ${words}`)];

/** Runs `body` against a server whose ID is `id`, then goes back to a Go-like server. */
async function withServerId(id, body) {
  serverId = id;
  infoAsked = 0;
  try {
    await body();
  } finally {
    serverId = undefined;
  }
}

test('signed calls carry a fresh binding to the server ID, asked once; unsigned ones none', () =>
  withServerId(SERVER_A, async () => {
    answer = ({ payloadtype }) => [200, reply(payloadtype, { name: 'c' })];
    const client = new Client({ url, privateKey: key });
    const before = Date.now();
    await client.getColony({ colonyname: 'c' });
    await client.getColony({ colonyname: 'c' });
    await client.rpc('getnodesmsg', { colonyname: 'c' });
    assert.equal(infoAsked, 1, 'the audience is learned once per client');
    const requests = seen.slice(-3);
    for (const { json, caller } of requests) {
      assert.match(json.nonce, /^[0-9a-f]{32}$/);
      assert.ok(Number.isInteger(json.signedat) && json.signedat >= before && json.signedat <= Date.now(), `${json.signedat}`);
      assert.equal(json.audience, SERVER_A);
      assert.equal(caller, key.id, 'the signature covers the bound payload');
    }
    assert.equal(new Set(requests.map((r) => r.json.nonce)).size, 3, 'a new nonce per request');
    assert.deepEqual(requests[0].json, { ...bindingOf(requests[0].json), colonyname: 'c', msgtype: 'getcolonymsg' });
    answer = () => [200, reply('versionmsg', { buildversion: 'v1', buildtime: 't' })];
    await client.version();
    assert.deepEqual(bindingOf(seen.at(-1).json), {}, 'unsigned requests are not bound');
  }));

test('a server without serverid (Go) gets unbound requests; replayBinding: false never binds', async () => {
  answer = ({ payloadtype }) => [200, reply(payloadtype, { name: 'c' })];
  infoAsked = 0;
  const go = new Client({ url, privateKey: key });
  await go.getColony({ colonyname: 'c' });
  await go.getColony({ colonyname: 'c' });
  assert.deepEqual(bindingOf(seen.at(-1).json), {});
  assert.equal(infoAsked, 1, 'asked once, and remembered that there is no ID');
  await withServerId(SERVER_A, async () => {
    const off = new Client({ url, privateKey: key, replayBinding: false });
    await off.getColony({ colonyname: 'c' });
    assert.deepEqual(seen.at(-1).json, { colonyname: 'c', msgtype: 'getcolonymsg' });
    assert.equal(infoAsked, 0, 'no server info asked');
    // A request bound by the caller goes as given.
    const own = { nonce: '0'.repeat(32), signedat: 1, audience: 'x' };
    await new Client({ url, privateKey: key }).rpc('getcolonymsg', { colonyname: 'c', ...own });
    assert.deepEqual(bindingOf(seen.at(-1).json), own);
  });
});

test('wrong audience: the client asks the server ID again once and re-sends once', () =>
  withServerId(SERVER_A, async () => {
    answer = ({ payloadtype, json }) => (json.audience === serverId ? [200, reply(payloadtype, {})] : refusal('wrong audience: the request is meant for another server'));
    const client = new Client({ url, privateKey: key });
    await client.approveExecutor({ colonyname: 'c', executorname: 'e' });
    assert.equal(infoAsked, 1);
    serverId = SERVER_B; // changeserveridmsg
    const start = seen.length;
    await client.approveExecutor({ colonyname: 'c', executorname: 'e' });
    assert.deepEqual(seen.slice(start).map((r) => r.json.audience), [SERVER_A, SERVER_B]);
    assert.notEqual(seen.at(-1).json.nonce, seen.at(-2).json.nonce, 'the re-sent request is bound afresh');
    assert.equal(infoAsked, 2);
    await client.approveExecutor({ colonyname: 'c', executorname: 'e' });
    assert.equal(infoAsked, 2, 'the new ID is kept');
    // A server that keeps refusing: one refresh, one re-send, then the refusal.
    answer = () => refusal('wrong audience: no');
    const again = seen.length;
    await assert.rejects(client.approveExecutor({ colonyname: 'c', executorname: 'e' }), { status: 403, message: /^replay protection: wrong audience/ });
    assert.equal(seen.length - again, 2);
    assert.equal(infoAsked, 3);
  }));

test('stale: the client re-signs once on the server clock and keeps the offset', () =>
  withServerId(SERVER_A, async () => {
    const SKEW = 10 * 60_000; // the server's clock is 10 minutes ahead
    answer = ({ payloadtype, json }) => {
      const serverNow = Date.now() + SKEW;
      if (Math.abs(json.signedat - serverNow) > 60_000) {
        return refusal(`stale: signedat is outside the server's window; the server's time is ${serverNow} (Unix ms)`);
      }
      return [200, reply(payloadtype, {})];
    };
    const client = new Client({ url, privateKey: key });
    const start = seen.length;
    await client.approveExecutor({ colonyname: 'c', executorname: 'e' });
    assert.equal(seen.length - start, 2, 'refused once, then served');
    assert.ok(Math.abs(seen.at(-1).json.signedat - (Date.now() + SKEW)) < 5_000);
    await client.approveExecutor({ colonyname: 'c', executorname: 'e' });
    assert.equal(seen.length - start, 3, 'later calls sign on the server clock at once');
    // Other 403s (and a stale refusal after the correction) are not retried.
    answer = () => [403, failure(403, 'Access denied')];
    await assert.rejects(client.getColony({ colonyname: 'c' }), { status: 403, message: 'Access denied' });
    assert.equal(seen.length - start, 4);
    answer = () => refusal(`stale: signedat is outside the server's window; the server's time is ${Date.now() + SKEW} (Unix ms)`);
    await assert.rejects(client.getColony({ colonyname: 'c' }), { status: 403, message: /^replay protection: stale/ });
    assert.equal(seen.length - start, 6, 'one correction per call');
  }));

test('a failed server info lookup fails the call, keeps nothing, and is asked again', () =>
  withServerId(SERVER_A, async () => {
    answer = ({ payloadtype }) => [200, reply(payloadtype, {})];
    const client = new Client({ url, privateKey: key });
    const start = seen.length;
    infoFails = true;
    try {
      await assert.rejects(client.approveExecutor({ colonyname: 'c', executorname: 'e' }), { status: 500, message: 'database error' });
    } finally {
      infoFails = false;
    }
    assert.equal(seen.length, start, 'nothing was sent unbound');
    await client.approveExecutor({ colonyname: 'c', executorname: 'e' });
    assert.equal(infoAsked, 2);
    assert.equal(seen.at(-1).json.audience, SERVER_A);
  }));
