// An executor loop on top of Client: assign → handler → closeSuccessful / closeFailed, with
// retry and backoff, until stop(). Lets a browser tab, a phone, Node or a Worker do a colony's work.

const NO_PROCESS = 404; // assign: nothing to do within the long poll (protocol §4.5)

/** Whether retrying a failed call can help: no reply, a server fault, or paused assignments. */
function retryable(error) {
  if (!error || typeof error.status !== 'number') return false;
  if (error.reason !== 'server') return error.reason === 'network' || error.reason === 'timeout';
  return error.status >= 500 || error.status === 408;
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The `out` list of a handler's result: arrays as they are, nothing as `[]`, else `[result]`. */
function output(result) {
  if (result === undefined) return [];
  return Array.isArray(result) ? result : [result];
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

export class Executor {
  #client;
  #options;
  #handlers = new Map();
  #controller = null;
  #loop = null;

  /**
   * @param client a Client signing with the executor's own (registered, approved) key
   * @param options see ExecutorOptions in executor.d.ts
   */
  constructor(client, options) {
    if (!options?.colonyname) throw new TypeError('Executor: options.colonyname is required');
    const backoff = options.backoff ?? {};
    this.#client = client;
    this.#options = {
      colonyname: options.colonyname,
      assignTimeout: options.assignTimeout ?? 10,
      availablecpu: options.availablecpu ?? '',
      availablemem: options.availablemem ?? '',
      closeAttempts: options.closeAttempts ?? 5,
      backoff: {
        initialMs: backoff.initialMs ?? 500,
        maxMs: backoff.maxMs ?? 30_000,
        factor: backoff.factor ?? 2,
      },
      onEvent: options.onEvent ?? (() => {}),
    };
  }

  /** Runs `handler` for processes whose `spec.funcname` is `funcname`. Returns this. */
  register(funcname, handler) {
    if (typeof handler !== 'function') throw new TypeError(`Executor: handler for ${funcname} is not a function`);
    this.#handlers.set(funcname, handler);
    return this;
  }

  /** The function names with a handler. */
  get functions() {
    return [...this.#handlers.keys()];
  }

  /** Whether the loop runs. */
  get running() {
    return this.#loop !== null;
  }

  /**
   * Announces every registered function to the colony (`addfunctionmsg`), so that
   * `getFunctions` lists them; the executor must be approved first.
   */
  async registerFunctions({ executorname, executortype }) {
    const added = [];
    for (const funcname of this.#handlers.keys()) {
      added.push(await this.#client.addFunction({
        fun: { executorname, executortype, colonyname: this.#options.colonyname, funcname },
      }));
    }
    return added;
  }

  /** Starts the loop; the promise settles when the loop has stopped. */
  start() {
    if (this.#loop) return this.#loop;
    this.#controller = new AbortController();
    const signal = this.#controller.signal;
    this.#loop = this.#run(signal).finally(() => {
      this.#loop = null;
      this.#emit({ type: 'stopped' });
    });
    return this.#loop;
  }

  /** Stops: aborts the waiting assign and the running handler's signal, waits for the loop. */
  async stop() {
    const loop = this.#loop;
    this.#controller?.abort();
    await loop;
  }

  #emit(event) {
    try {
      this.#options.onEvent(event);
    } catch {
      // A failing listener must not stop the executor.
    }
  }

  #delay(failures) {
    const { initialMs, maxMs, factor } = this.#options.backoff;
    const ms = Math.min(maxMs, initialMs * factor ** failures);
    return ms / 2 + Math.random() * (ms / 2); // jitter: executors do not retry in lockstep
  }

  async #run(signal) {
    const { colonyname, assignTimeout, availablecpu, availablemem } = this.#options;
    let failures = 0;
    while (!signal.aborted) {
      let process;
      try {
        this.#emit({ type: 'waiting' });
        process = await this.#client.assign(
          { colonyname, timeout: assignTimeout, availablecpu, availablemem }, { signal });
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (error?.reason === 'server' && error.status === NO_PROCESS) continue;
        // Anything else (not approved yet, paused, unreachable) is reported and retried later.
        const delayMs = this.#delay(failures++);
        this.#emit({ type: 'error', error, retryInMs: delayMs });
        await sleep(delayMs, signal);
        continue;
      }
      await this.#execute(process, signal);
    }
  }

  async #execute(process, signal) {
    const funcname = process.spec.funcname;
    const handler = this.#handlers.get(funcname);
    this.#emit({ type: 'assigned', process });
    if (!handler) {
      const error = new Error(`no handler for function ${JSON.stringify(funcname)}`);
      await this.#close(process, () => this.#client.closeFailed({ processid: process.processid, errors: [error.message] }));
      this.#emit({ type: 'failed', process, error });
      return;
    }
    const context = {
      client: this.#client,
      signal,
      progress: (value) => this.#emit({ type: 'progress', process, value }),
      log: (message) => this.#client.addLog({ processid: process.processid, message: String(message) }),
    };
    let out;
    try {
      out = output(await handler(process, context));
    } catch (error) {
      await this.#close(process, () => this.#client.closeFailed({ processid: process.processid, errors: [describe(error)] }));
      this.#emit({ type: 'failed', process, error });
      return;
    }
    if (await this.#close(process, () => this.#client.closeSuccessful({ processid: process.processid, out }))) {
      this.#emit({ type: 'succeeded', process, output: out });
    }
  }

  /** Reports the outcome, retrying while that can help; false if it was not recorded. */
  async #close(process, send) {
    for (let attempt = 0; ; attempt++) {
      try {
        await send();
        return true;
      } catch (error) {
        if (!retryable(error) || attempt + 1 >= this.#options.closeAttempts) {
          // e.g. the process timed out and was handed to another executor meanwhile.
          this.#emit({ type: 'error', error, process });
          return false;
        }
        await sleep(this.#delay(attempt), undefined);
      }
    }
  }
}
