// Compiled by `tsc -p wasm-client` (never run): the package's declarations as a user meets them.
// Each `@ts-expect-error` marks a mistake the declarations must catch; if a type decays to
// `any`, that line stops being an error and the check fails.
import init, {
  Client,
  ColoniesError,
  Executor,
  ExecutorState,
  PrivateKey,
  ProcessState,
  createToken,
  recoverId,
  signMeshRequest,
  type ExecutorEvent,
  type ExecutorInfo,
  type FunctionSpec,
  type Input,
  type Process,
  type ProcessGraph,
} from '../pkg/index.js';

export async function typical(url: string): Promise<void> {
  await init();
  const key: PrivateKey = PrivateKey.generate();
  const id: string = key.id;
  const signature: string = key.sign('hello');
  const recovered: string = recoverId('hello', signature);
  console.assert(recovered === id);

  const client = new Client({ url, privateKey: key, timeoutMs: 5_000 });
  const unbound = new Client({ url, privateKey: key, replayBinding: false });
  const serverid: string | undefined = (await unbound.getServerInfo()).serverid;
  console.log(serverid);
  const spec: Input<FunctionSpec> = {
    funcname: 'echo',
    args: ['hi', 1, { nested: [true, null] }],
    maxexectime: 60,
    conditions: { colonyname: 'dev', executortype: 'browser' },
  };
  const process: Process = await client.submitFunctionSpec({ spec });
  const state: ProcessState = process.state;
  const out: unknown[] = process.out;
  const errors: string[] = process.errors;
  console.log(state, out, errors, process.spec.conditions.executortype, process.attributes[0]?.key);

  const waiting: Process[] = await client.getProcesses({ colonyname: 'dev', count: 10, state: ProcessState.Waiting });
  const executors = await client.getExecutors({ colonyname: 'dev' });
  const infos: ExecutorInfo[] = executors;
  const pending = infos.filter((e) => e.state === ExecutorState.Pending).map((e) => e.executorname);
  await client.approveExecutor({ colonyname: 'dev', executorname: pending[0] ?? 'none' });
  const graph: ProcessGraph = await client.getProcessGraph({ processgraphid: 'x' });
  const edges: Array<[string, string]> = graph.edges.map((edge) => [edge.source, edge.target]);
  console.log(waiting.length, edges, graph.nodes[0]?.data.label);

  for await (const done of client.subscribeProcess({
    colonyname: 'dev', processid: process.processid, state: ProcessState.Success, timeout: 10,
  })) {
    const finished: Process = done;
    console.log(finished.out);
    break;
  }

  const events: ExecutorEvent[] = [];
  const executor = new Executor(client, { colonyname: 'dev', assignTimeout: 5, onEvent: (e) => events.push(e) })
    .register('echo', (p, context) => {
      context.progress(0.5);
      return p.spec.args;
    });
  const loop: Promise<void> = executor.start();
  await executor.stop();
  await loop;

  // The mesh API (/api/v1): a bearer token, or one signed request.
  const audience: string = serverid ?? '';
  const token: string = createToken(key.toHex(), 'dev', audience, 3600);
  const path = '/api/v1/functions/load_data/invoke';
  const body = JSON.stringify({ args: [] });
  const authorization: string = signMeshRequest(key.toHex(), 'dev', 'POST', path, body, audience);
  await fetch(`${url}${path}`, { method: 'POST', body, headers: { authorization } });
  await fetch(`${url}/api/v1/services/`, { headers: { authorization: `Bearer ${token}` } });

  try {
    await client.getProcess({ processid: 'missing' });
  } catch (error) {
    if (error instanceof ColoniesError) {
      const status: number = error.status;
      const reason: 'server' | 'network' | 'timeout' | 'aborted' | 'protocol' | 'input' = error.reason;
      console.log(status, reason);
    }
  }
}

export async function mistakes(client: Client): Promise<void> {
  // @ts-expect-error a process ID is a string
  await client.getProcess({ processid: 42 });
  // @ts-expect-error getProcesses needs a count
  await client.getProcesses({ colonyname: 'dev', state: ProcessState.Waiting });
  // @ts-expect-error state 7 is no process state
  await client.getProcesses({ colonyname: 'dev', count: 1, state: 7 });
  // @ts-expect-error the request wraps the spec
  await client.submitFunctionSpec({ funcname: 'echo' });
  const process = await client.assign({ colonyname: 'dev', timeout: 5 });
  // @ts-expect-error no such field on Process
  console.log(process.output);
  // @ts-expect-error executor options need a colony
  new Executor(client, { assignTimeout: 1 });
  // @ts-expect-error replayBinding is a boolean
  new Client({ url: 'http://h:1', replayBinding: 'no' });
  // @ts-expect-error a token's lifetime is a number of seconds
  createToken('00', 'dev', 'server', '1h');
  // @ts-expect-error a signed request needs its body (an empty string for none)
  signMeshRequest('00', 'dev', 'GET', '/api/v1/services/', 'server');
  // @ts-expect-error ExecutorState is read-only
  ExecutorState.Approved = 2;
}
