// TypeScript declarations of colonies-edge: the models of protocol §5 and the request
// messages of §4, field names exactly as on the wire (lower case, no separators).
// Kept by hand next to colonies-core's types (core/src/model, core/src/message);
// tests/types.test.mjs checks them against the reply reader and the generated declarations. Integers above 2^53 (`prioritytime`, log `timestamp`, both Unix
// nanoseconds) arrive as the nearest double, as in every JavaScript Colonies client.

/** Any JSON value (function arguments, outputs, kwargs). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };
/**
 * RFC 3339 text with nanoseconds, in whatever offset the server writes; any year-0001 time
 * (Go's zero time, `"0001-01-01T00:00:00Z"`) means unset.
 */
export type Timestamp = string;
/** A model as a request carries it: every field may be left out and takes its zero value. */
export type Input<T> = T extends (infer E)[]
  ? Input<E>[]
  : T extends Record<string, JsonValue>
    ? T
    : T extends object
      ? { [K in keyof T]?: Input<T[K]> }
      : T;
/** The state filter of the "remove all" messages: -1 = every state (running is refused). */
export type StateFilter = -1 | ProcessState;
/** Why a call failed: `server` (an error reply) or why no reply came. */
export type ColoniesErrorReason = 'server' | 'network' | 'timeout' | 'aborted' | 'protocol' | 'input';

/** How to reach a server. */
export interface ClientOptions {
  /** The server's base URL, `http(s)://host:port` (the client adds `/api` and `/pubsub`). */
  url: string;
  /** The signing key: 64 hex characters or a PrivateKey. Needed for all but `version`/`getServerInfo`. */
  privateKey?: string | PrivateKey;
  /** Milliseconds to wait for a reply (default 30000); `assign` adds its long-poll `timeout`. */
  timeoutMs?: number;
  /** The WebSocket class for subscriptions (default `globalThis.WebSocket`; on Node 20 pass `ws`'s, or run with `--experimental-websocket`). */
  WebSocket?: new (url: string) => WebSocket;
  /**
   * Replay protection (default `true`): every signed request carries a fresh `nonce`, `signedat`
   * (Unix ms) and `audience` (the server's ID, asked once from `getServerInfo`), so a captured
   * copy is refused. A server that tells no `serverid` (a Go server) gets unbound requests.
   * `false` sends requests as the Go client does, without the three fields.
   */
  replayBinding?: boolean;
}

/** Per-call options of every method. */
export interface CallOptions {
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Aborts the call (the promise rejects with `reason: "aborted"`). */
  signal?: AbortSignal;
}

/** `for await (const process of subscription)`. */
export interface ProcessSubscription {
  [Symbol.asyncIterator](): ProcessSubscription;
}

/** What an attribute says about its process. */
export type AttributeType = 0 | 1 | 2 | 3;

/** Where an executor is in its life: registered, approved by the colony owner, or removed. */
export type ExecutorState = 0 | 1 | 2 | 3;

/** Where a process (or a process graph) is in its life (protocol §6.1). */
export type ProcessState = 0 | 1 | 2 | 3 | 4;

/** A key/value pair attached to a process.  Its ID is deterministic: SHA3-256 of `targetid + key + attributetype` (protocol §1.2). */
export interface Attribute {
  /** The attribute ID. */
  attributeid: string;
  /** The process it belongs to. */
  targetid: string;
  /** The colony of that process. */
  targetcolonyname: string;
  /** The workflow of that process (empty: none). */
  targetprocessgraphid: string;
  /** Mirrors the process state. */
  state: ProcessState;
  /** In, out, err or env. */
  attributetype: AttributeType;
  /** The key. */
  key: string;
  /** The value. */
  value: string;
}

/** An instance of a blueprint kind: desired `spec`, observed `status`. */
export interface Blueprint {
  /** The blueprint ID. */
  blueprintid: string;
  /** Its kind; a definition with `spec.names.kind` equal to it must exist. */
  kind: string;
  /** Name, colony and bookkeeping. */
  metadata: BlueprintMetadata;
  /** The desired state. */
  spec: JsonObject;
  /** The observed state, reported by the reconciler. */
  status?: JsonObject;
}

/** Name, colony and bookkeeping of a blueprint or a definition. */
export interface BlueprintMetadata {
  /** Its name, unique in the colony. */
  name: string;
  /** The colony (older servers call it `namespace`). */
  colonyname: string;
  /** The location it targets. */
  locationname?: string;
  /** Labels. */
  labels?: Record<string, string>;
  /** Annotations. */
  annotations?: Record<string, string>;
  /** Increases with every spec change. */
  generation?: number;
  /** When it was created. */
  createdAt?: Timestamp;
  /** When it was last changed. */
  updatedAt?: Timestamp;
  /** The process of the last reconciliation. */
  lastReconciliationProcess?: string;
  /** When it was last reconciled. */
  lastReconciliationTime?: Timestamp;
}

/** A blueprint kind: its names, schema and the function that reconciles it. */
export interface BlueprintDefinition {
  /** The definition ID. */
  blueprintdefinitionid: string;
  /** Always `BlueprintDefinition`. */
  kind: string;
  /** Name, colony and bookkeeping. */
  metadata: BlueprintMetadata;
  /** What it defines. */
  spec: BlueprintDefinitionSpec;
}

/** What a blueprint definition defines. */
export interface BlueprintDefinitionSpec {
  /** API group. */
  group: string;
  /** API version. */
  version: string;
  /** The names of the kind. */
  names: BlueprintNames;
  /** `Namespaced` or `Cluster`. */
  scope: string;
  /** A JSON-schema subset the blueprint's `spec` must satisfy (absent: anything). */
  schema?: JsonValue;
  /** Who reconciles blueprints of this kind. */
  handler: BlueprintHandler;
}

/** The names of a blueprint kind. */
export interface BlueprintNames {
  /** The kind, e.g. `ExecutorDeployment`. */
  kind: string;
  /** The list kind. */
  listKind: string;
  /** Singular name. */
  singular: string;
  /** Plural name. */
  plural: string;
  /** Short names. */
  shortNames?: string[];
}

/** The executor function that reconciles a blueprint kind. */
export interface BlueprintHandler {
  /** The executor type to run on. */
  executorType: string;
  /** The function to call. */
  functionName: string;
  /** Seconds between periodic reconciliations (0: none). */
  reconcileInterval?: number;
}

/** One recorded change of a blueprint. */
export interface BlueprintHistory {
  /** The history entry ID. */
  historyid: string;
  /** The blueprint. */
  blueprintid: string;
  /** Its kind. */
  kind: string;
  /** Its colony. */
  namespace: string;
  /** Its name. */
  name: string;
  /** Its generation after the change. */
  generation: number;
  /** Its spec after the change. */
  spec: JsonObject;
  /** Its status after the change. */
  status?: JsonObject;
  /** When it changed. */
  timestamp: Timestamp;
  /** The key ID that changed it. */
  changedby: string;
  /** `create`, `update` or `delete`. */
  changetype: string;
}

/** One message of a channel, as read back. */
export interface MsgEntry {
  /** The sender's sequence number. */
  sequence: number;
  /** The sequence number this answers (0: none). */
  inreplyto?: number;
  /** When it was appended. */
  timestamp: Timestamp;
  /** The key ID of the sender. */
  senderid: string;
  /** The content, base64 on the wire. */
  payload: string;
  /** `data`, `end` or `error` (empty: data). */
  type?: string;
  /** The error text of an `error` entry. */
  error?: string;
}

/** A colony: a named group of executors and users, owned by the key whose ID is `colonyid`. */
export interface Colony {
  /** The owner's key ID (64 hex characters); the colony "ID" is the owner's identity. */
  colonyid: string;
  /** The colony's unique name, by which every message addresses it. */
  name: string;
}

/** A person (or service) with a key in a colony; users are members without approval. */
export interface User {
  /** The colony the user belongs to. */
  colonyname: string;
  /** The user's key ID. */
  userid: string;
  /** The user's name, unique in the colony. */
  name: string;
  /** Contact e-mail address. */
  email: string;
  /** Contact phone number. */
  phone: string;
}

/** A workflow started every `interval` seconds or on a cron expression. */
export interface Cron {
  /** The cron ID. */
  cronid: string;
  /** The key ID of whoever added it. */
  initiatorid: string;
  /** The name of whoever added it. */
  initiatorname: string;
  /** The colony. */
  colonyname: string;
  /** Its name, unique in the colony. */
  name: string;
  /** A six-field cron expression (with seconds), used when `interval` is `-1`. */
  cronexpression: string;
  /** Seconds between runs; `-1` means use the expression; `0` is refused. */
  interval: number;
  /** Randomise within the interval (never effective in Go). */
  random: boolean;
  /** When it runs next. */
  nextrun: Timestamp;
  /** When it last ran. */
  lastrun: Timestamp;
  /** The workflow, as a JSON **string** of a `WorkflowSpec`. */
  workflowspec: string;
  /** The graph started by the previous run. */
  prevprocessgraphid: string;
  /** Skip a run while the previous graph has not finished. */
  waitforprevprocessgraph: boolean;
  /** How often the server checks crons, milliseconds. */
  checkerperiod: number;
}

/** An executor registered in a colony. */
export interface Executor {
  /** The executor's key ID. */
  executorid: string;
  /** The kind of work it does; a spec's `conditions.executortype` must equal it. */
  executortype: string;
  /** Its name, unique in the colony. */
  executorname: string;
  /** The colony it belongs to. */
  colonyname: string;
  /** Pending, approved, rejected or unregistered. */
  state: ExecutorState;
  /** Whether it only runs functions it registered. */
  requirefuncreg: boolean;
  /** When it was registered. */
  commissiontime: Timestamp;
  /** When it last asked for work. */
  lastheardfromtime: Timestamp;
  /** The location it runs at (empty: none). */
  locationname?: string;
  /** Its hardware and software. */
  capabilities: Capabilities;
  /** Resource allocations per project. */
  allocations: Allocations;
  /** The blueprint that created it (empty: none). */
  blueprintid?: string;
  /** The generation of that blueprint (0: none). */
  blueprintgen?: number;
}

/** What an executor offers. */
export interface Capabilities {
  /** Its machines. */
  hardware: Hardware[];
  /** Its installed software. */
  software: Software[];
}

/** One kind of machine an executor runs on. */
export interface Hardware {
  /** Machine model. */
  model: string;
  /** Number of nodes. */
  nodes: number;
  /** CPU, e.g. `"4000m"`. */
  cpu: string;
  /** Number of cores. */
  cores: number;
  /** Memory, e.g. `"16Gi"`. */
  mem: string;
  /** Storage, e.g. `"1Ti"`. */
  storage: string;
  /** GPUs. */
  gpu: Gpu;
  /** Platform, e.g. `"linux"`. */
  platform: string;
  /** CPU architecture, e.g. `"amd64"`. */
  architecture: string;
  /** Networks it is attached to. */
  network: string[];
}

/** A piece of software an executor provides. */
export interface Software {
  /** Software name. */
  name: string;
  /** Software type. */
  type: string;
  /** Software version. */
  version: string;
}

/** Resource allocations of an executor, by project name. */
export interface Allocations {
  /** Allocation per project name. */
  projects: Record<string, Project>;
}

/** What one project may use of an executor and has used. */
export interface Project {
  /** CPU allocated. */
  allocatedcpu: number;
  /** CPU used. */
  usedcpu: number;
  /** GPUs allocated. */
  allocatedgpu: number;
  /** GPUs used. */
  usedgpu: number;
  /** Storage allocated. */
  allocatedstorage: number;
  /** Storage used. */
  usedstorage: number;
}

/** One revision of a file under a label. */
export interface File {
  /** The file ID. */
  fileid: string;
  /** The colony. */
  colonyname: string;
  /** The label (a path-like folder), e.g. `/data`. */
  label: string;
  /** The file name. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** Revision number, increasing. */
  sequencenr: number;
  /** Checksum of the content. */
  checksum: string;
  /** Checksum algorithm, e.g. `SHA256`. */
  checksumalg: string;
  /** Where the content is stored. */
  ref: Reference;
  /** When it was added. */
  added: Timestamp;
}

/** Where a file's content is stored. */
export interface Reference {
  /** The storage protocol, `s3`. */
  protocol: string;
  /** The S3 object. */
  s3object: S3Object;
}

/** An object in an S3-compatible store (credentials included, as Colonies stores them). */
export interface S3Object {
  /** Server host. */
  server: string;
  /** Server port. */
  port: number;
  /** Whether to use TLS. */
  tls: boolean;
  /** Access key. */
  accesskey: string;
  /** Secret key. */
  secretkey: string;
  /** Region. */
  region: string;
  /** Encryption key. */
  encryptionkey: string;
  /** Encryption algorithm. */
  encryptionalg: string;
  /** Object name. */
  object: string;
  /** Bucket. */
  bucket: string;
}

/** A file as listed under a label. */
export interface FileData {
  /** The file name. */
  name: string;
  /** Checksum of the latest revision. */
  checksum: string;
  /** Size in bytes. */
  size: number;
  /** The S3 object name. */
  s3filename: string;
}

/** A label and how many files it holds. */
export interface Label {
  /** The label. */
  name: string;
  /** Number of files. */
  files: number;
}

/** Snapshots and synchronised directories mounted for a process. */
export interface Filesystem {
  /** The mount point. */
  mount: string;
  /** Snapshots to mount read-only. */
  snapshots: SnapshotMount[];
  /** Directories to synchronise with labels. */
  dirs: SyncDir[];
}

/** A snapshot mounted into a process. */
export interface SnapshotMount {
  /** The snapshot. */
  snapshotid: string;
  /** Its label. */
  label: string;
  /** Where it is mounted. */
  dir: string;
  /** Keep the files after the process ends. */
  keepfiles: boolean;
  /** Keep the snapshot after the process ends. */
  keepsnapshot: boolean;
}

/** A directory synchronised with a label before and after the process. */
export interface SyncDir {
  /** The label to synchronise with. */
  label: string;
  /** The local directory. */
  dir: string;
  /** Keep the files after the process ends. */
  keepfiles: boolean;
  /** What wins when local and remote files differ. */
  onconflicts: ConflictResolution;
}

/** Conflict rules at the start and at the end of a process. */
export interface ConflictResolution {
  /** When the process starts. */
  onstart: OnStart;
  /** When the process closes. */
  onclose: OnClose;
}

/** Conflict rule when a process starts. */
export interface OnStart {
  /** Keep the local file. */
  keeplocal: boolean;
}

/** Conflict rule when a process closes. */
export interface OnClose {
  /** Keep the local file. */
  keeplocal: boolean;
}

/** A function an executor can run, and statistics of its successful runs. */
export interface ColoniesFunction {
  /** The function ID. */
  functionid: string;
  /** The executor offering it. */
  executorname: string;
  /** That executor's type. */
  executortype: string;
  /** The colony. */
  colonyname: string;
  /** The function name specs refer to in `funcname`. */
  funcname: string;
  /** What it does. */
  description?: string;
  /** Its arguments. */
  args?: FunctionArg[];
  /** Successful runs so far. */
  counter: number;
  /** Shortest wait before assignment, seconds. */
  minwaittime: number;
  /** Longest wait before assignment, seconds. */
  maxwaittime: number;
  /** Shortest run, seconds. */
  minexectime: number;
  /** Longest run, seconds. */
  maxexectime: number;
  /** Running average of waits, seconds. */
  avgwaittime: number;
  /** Running average of runs, seconds. */
  avgexectime: number;
  /** The executor's location (empty: none). */
  locationname?: string;
}

/** One argument of a registered function. */
export interface FunctionArg {
  /** Argument name. */
  name: string;
  /** Argument type, free text. */
  type: string;
  /** What it means. */
  description: string;
  /** Whether it must be given. */
  required: boolean;
  /** The allowed values (empty: any). */
  enum: string[];
}

/** A request to run one function: the unit a process is made from.  `maxwaittime`/`maxexectime` are seconds (`-1` = unlimited); `maxretries` `-1` = unlimited; `priority` in `[-50000, 50000]`, higher first. */
export interface FunctionSpec {
  /** The node's name inside a workflow (unique there; dependencies refer to it). */
  nodename: string;
  /** The function to run. */
  funcname: string;
  /** Positional arguments, any JSON. */
  args: JsonValue[];
  /** Keyword arguments, any JSON. */
  kwargs: JsonObject;
  /** Scheduling priority; each unit is one day of seniority. */
  priority: number;
  /** Seconds the process may wait for an executor before it fails. */
  maxwaittime: number;
  /** Seconds an executor may run it before it is retried or fails. */
  maxexectime: number;
  /** How often an expired run is retried. */
  maxretries: number;
  /** Which executors may take it. */
  conditions: Conditions;
  /** A free label to find processes by. */
  label: string;
  /** Files to mount and synchronise. */
  fs: Filesystem;
  /** Environment variables, stored as ENV attributes of the process. */
  env: Record<string, string>;
  /** Channels to open for the process. */
  channels?: string[];
  /** The blueprint change a reconciliation process acts on (absent otherwise). */
  reconciliation?: JsonValue;
}

/** Which executors may take a process. */
export interface Conditions {
  /** The colony the process runs in. */
  colonyname: string;
  /** Only executors with one of these names (empty or `["*"]`: any). */
  executornames: string[];
  /** Only executors of this type (exact match). */
  executortype: string;
  /** Only executors at this location, compared case-insensitively (empty: any). */
  locationname?: string;
  /** Node names in the same workflow that must succeed first. */
  dependencies: string[];
  /** Number of nodes. */
  nodes: number;
  /** CPU in millicores, written `"<n>m"`. */
  cpu: string;
  /** Number of processes. */
  processes: number;
  /** Processes per node. */
  processespernode: number;
  /** Memory, e.g. `"10Gi"`. */
  mem: string;
  /** Storage, e.g. `"10Gi"`. */
  storage: string;
  /** GPUs. */
  gpu: Gpu;
  /** Wall time in seconds. */
  walltime: number;
}

/** GPUs requested by a spec or offered by hardware. */
export interface Gpu {
  /** GPU model name. */
  name: string;
  /** Memory per GPU, e.g. `"80Gi"`. */
  mem: string;
  /** GPUs per node. */
  count: number;
  /** Nodes with GPUs. */
  nodecount: number;
}

/** A workflow started once `trigger` arguments are packed, or `timeout` seconds after the first. */
export interface Generator {
  /** The generator ID. */
  generatorid: string;
  /** The key ID of whoever added it. */
  initiatorid: string;
  /** The name of whoever added it. */
  initiatorname: string;
  /** The colony. */
  colonyname: string;
  /** Its name. */
  name: string;
  /** The workflow, as a JSON **string** of a `WorkflowSpec`. */
  workflowspec: string;
  /** How many packed arguments start a workflow. */
  trigger: number;
  /** Seconds after which fewer arguments start one anyway (`0`: never). */
  timeout: number;
  /** When the first argument was packed. */
  firstpack: Timestamp;
  /** When it last started a workflow. */
  lastrun: Timestamp;
  /** How many arguments are packed now. */
  queuesize: number;
  /** How often the server checks generators, milliseconds. */
  checkerperiod: number;
}

/** A named place executors run at; specs may require one. */
export interface Location {
  /** The location ID. */
  locationid: string;
  /** Its name, unique in the colony. */
  name: string;
  /** The colony. */
  colonyname: string;
  /** Free text. */
  description: string;
  /** Longitude. */
  long: number;
  /** Latitude. */
  lat: number;
}

/** One log line of a process or an executor. */
export interface Log {
  /** The process it belongs to (empty: an executor log). */
  processid: string;
  /** The colony. */
  colonyname: string;
  /** The executor that wrote it. */
  executorname: string;
  /** The text. */
  message: string;
  /** When it was written, Unix nanoseconds. */
  timestamp: number;
}

/** A submitted function spec and everything that happened to it.  Every key is always written, and lists and maps are written as `[]`/`{}`, never `null`: pycolonies refuses `null` for `parents`, `children` and `errors` (client-expectations.md). */
export interface Process {
  /** The process ID (random 64 hex). */
  processid: string;
  /** The key ID of whoever submitted it. */
  initiatorid: string;
  /** The name of the executor or user that submitted it. */
  initiatorname: string;
  /** The key ID of the executor running it (empty when waiting). */
  assignedexecutorid: string;
  /** Whether an executor holds it. */
  isassigned: boolean;
  /** Waiting, running, success, failed or cancelled. */
  state: ProcessState;
  /** Submission time in Unix ns minus `priority` days; the lowest is assigned first. */
  prioritytime: number;
  /** When it was submitted. */
  submissiontime: Timestamp;
  /** When it was last assigned. */
  starttime: Timestamp;
  /** When it was closed. */
  endtime: Timestamp;
  /** When it fails if still waiting. */
  waitdeadline: Timestamp;
  /** When its current run expires. */
  execdeadline: Timestamp;
  /** How often its run has expired and been retried. */
  retries: number;
  /** Its attributes (IN, OUT, ERR, ENV). */
  attributes: Attribute[];
  /** What to run. */
  spec: FunctionSpec;
  /** Whether it waits for parents in its workflow to succeed. */
  waitforparents: boolean;
  /** Process IDs of its parents in the workflow. */
  parents: string[];
  /** Process IDs of its children in the workflow. */
  children: string[];
  /** The workflow it belongs to (empty: none). */
  processgraphid: string;
  /** Input: the parents' outputs, concatenated in `parents` order. */
  in: JsonValue[];
  /** Output set by the executor. */
  out: JsonValue[];
  /** Errors reported when it failed. */
  errors: string[];
}

/** The reply of the unsigned `getserverinfomsg`. */
export interface ServerInfo {
  /** The server's version. */
  buildversion: string;
  /** When it was built. */
  buildtime: string;
  /** The server's ID, the `audience` of bound requests (Go servers do not send it). */
  serverid?: string;
  /** Where it listens. */
  backends: Backend[];
}

/** One listener of a server. */
export interface Backend {
  /** The backend kind, `http`. */
  type: string;
  /** The port. */
  port: number;
  /** The host it binds. */
  host: string;
  /** Whether it serves TLS. */
  tls?: boolean;
  /** Whether clients may skip certificate checks. */
  insecure?: boolean;
}

/** The reply of `getclustermsg`: the servers sharing the database, and the leader. */
export interface ClusterConfig {
  /** Every server. */
  nodes: ClusterNode[];
  /** The server doing leader-only work. */
  leader: ClusterNode;
}

/** One server of a cluster. */
export interface ClusterNode {
  /** Its name. */
  name: string;
  /** Its host. */
  host: string;
  /** Coordination client port (etcd's in Go). */
  port: number;
  /** Coordination peer port. */
  peerport: number;
  /** Event relay port. */
  relayport: number;
  /** The `/api` port. */
  apiport: number;
}

/** The reply of `getpausestatusmsg` (payloadtype `pausestatusreplymsg`). */
export interface PauseStatus {
  /** The colony asked about. */
  colonyname: string;
  /** Whether assignments are paused. */
  ispaused: boolean;
}

/** The latest file revisions of a label (and its sub-labels) at one moment. */
export interface Snapshot {
  /** The snapshot ID. */
  snapshotid: string;
  /** The colony. */
  colonyname: string;
  /** The label it froze. */
  label: string;
  /** Its name, unique in the colony. */
  name: string;
  /** The file revisions it holds. */
  fileids: string[];
  /** When it was taken. */
  added: Timestamp;
}

/** Counts for the server (`getstatisticsmsg`) or one colony (`getcolonystatsmsg`). */
export interface Statistics {
  /** Colonies. */
  colonies: number;
  /** Executors, in every state. */
  executors: number;
  /** Approved executors. */
  activeexecutors: number;
  /** Removed executors. */
  unregisteredexecutors: number;
  /** Waiting processes. */
  waitingprocesses: number;
  /** Running processes. */
  runningprocesses: number;
  /** Successful processes. */
  successfulprocesses: number;
  /** Failed processes. */
  failedprocesses: number;
  /** Cancelled processes. */
  cancelledprocesses: number;
  /** Waiting workflows. */
  waitingworkflows: number;
  /** Running workflows. */
  runningworkflows: number;
  /** Successful workflows. */
  successfulworkflows: number;
  /** Failed workflows. */
  failedworkflows: number;
  /** Cancelled workflows. */
  cancelledworkflows: number;
}

/** Function specs wired by `nodename` and `conditions.dependencies`, submitted together. */
export interface WorkflowSpec {
  /** The colony every process runs in (overrides each spec's `conditions.colonyname`). */
  colonyname: string;
  /** The nodes of the workflow. */
  functionspecs: FunctionSpec[];
}

/** A submitted workflow: its processes and the state derived from theirs (§6.6). */
export interface ProcessGraph {
  /** The graph ID. */
  processgraphid: string;
  /** The key ID of whoever submitted it. */
  initiatorid: string;
  /** The name of the executor or user that submitted it. */
  initiatorname: string;
  /** The colony it runs in. */
  colonyname: string;
  /** Processes without dependencies. */
  rootprocessids: string[];
  /** Derived from the states of its processes. */
  state: ProcessState;
  /** When it was submitted. */
  submissiontime: Timestamp;
  /** When its first process started. */
  starttime: Timestamp;
  /** When it reached a terminal state. */
  endtime: Timestamp;
  /** Every process of the graph. */
  processids: string[];
  /** Nodes for drawing the graph (filled by single-graph replies only). */
  nodes: GraphNode[];
  /** Edges for drawing the graph (filled by single-graph replies only). */
  edges: GraphEdge[];
}

/** A node of the drawn graph: one process. */
export interface GraphNode {
  /** The process ID. */
  id: string;
  /** What the node shows. */
  data: NodeData;
  /** Where it is drawn. */
  position: NodePosition;
  /** The drawing library's node type. */
  type: string;
  /** Colours. */
  style: NodeStyle;
}

/** The text of a drawn node. */
export interface NodeData {
  /** The label, usually the node name. */
  label: string;
}

/** Where a node is drawn. */
export interface NodePosition {
  /** Horizontal position. */
  x: number;
  /** Vertical position. */
  y: number;
}

/** The colours of a drawn node (they encode the process state). */
export interface NodeStyle {
  /** Text colour. */
  color: string;
  /** Background colour. */
  background: string;
}

/** An edge of the drawn graph: parent to child. */
export interface GraphEdge {
  /** The edge ID. */
  id: string;
  /** The parent process ID. */
  source: string;
  /** The child process ID. */
  target: string;
  /** Whether it is drawn animated (the parent is running). */
  animated: boolean;
}

// ---- messages

/** `addattributemsg`: the assigned executor attaches a key/value to its running process. */
export interface AddAttributeMsg {
  /** The attribute; `targetid` is the process. */
  attribute: Input<Attribute>;
}

/** `getattributemsg`: one attribute. */
export interface GetAttributeMsg {
  /** The attribute. */
  attributeid: string;
}

/** `addblueprintdefinitionmsg`: define a blueprint kind. */
export interface AddBlueprintDefinitionMsg {
  /** The definition; `metadata.colonyname` names the colony. */
  blueprintdefinition: Input<BlueprintDefinition>;
}

/** `getblueprintdefinitionmsg`: one definition by name. */
export interface GetBlueprintDefinitionMsg {
  /** The colony. */
  colonyname: string;
  /** The definition's name. */
  name: string;
}

/** `getblueprintdefinitionsmsg`: every definition of a colony. */
export interface GetBlueprintDefinitionsMsg {
  /** The colony. */
  colonyname: string;
}

/** `removeblueprintdefinitionmsg`: delete a definition no blueprint uses. */
export interface RemoveBlueprintDefinitionMsg {
  /** The colony. */
  namespace: string;
  /** The definition's name. */
  name: string;
}

/** `addblueprintmsg`: add a blueprint and reconcile it. */
export interface AddBlueprintMsg {
  /** The blueprint. */
  blueprint: Input<Blueprint>;
}

/** `getblueprintmsg`: one blueprint by name. */
export interface GetBlueprintMsg {
  /** The colony. */
  namespace: string;
  /** The blueprint's name. */
  name: string;
}

/** `getblueprintsmsg`: the blueprints of a colony, optionally of one kind or location. */
export interface GetBlueprintsMsg {
  /** The colony. */
  namespace: string;
  /** Only this kind (empty: all). */
  kind?: string;
  /** Only this location (empty: all). */
  locationname?: string;
}

/** `updateblueprintmsg`: replace a blueprint's spec. */
export interface UpdateBlueprintMsg {
  /** The new blueprint. */
  blueprint: Input<Blueprint>;
  /** Bump the generation even if the spec did not change. */
  forcegeneration?: boolean;
}

/** `removeblueprintmsg`: delete a blueprint. */
export interface RemoveBlueprintMsg {
  /** The colony. */
  namespace: string;
  /** The blueprint's name. */
  name: string;
}

/** `getblueprinthistorymsg`: the recorded changes of a blueprint. */
export interface GetBlueprintHistoryMsg {
  /** The blueprint. */
  blueprintid: string;
  /** At most this many (0: all). */
  limit?: number;
}

/** `updateblueprintstatusmsg`: the reconciler reports a blueprint's observed state. */
export interface UpdateBlueprintStatusMsg {
  /** The colony. */
  colonyname: string;
  /** The blueprint's name. */
  blueprintname: string;
  /** The observed state. */
  status: JsonObject;
}

/** `reconcileblueprintmsg`: start a reconciliation now; the reply is its process. */
export interface ReconcileBlueprintMsg {
  /** The colony. */
  namespace: string;
  /** The blueprint's name. */
  name: string;
  /** Reconcile even if nothing changed. */
  force?: boolean;
}

/** `channelappendmsg`: the initiator or the assigned executor appends to a channel. */
export interface ChannelAppendMsg {
  /** The process. */
  processid: string;
  /** The channel's name. */
  name: string;
  /** The sender's own sequence number. */
  sequence: number;
  /** The sequence number this answers (0: none). */
  inreplyto?: number;
  /** The content, base64 on the wire (at most 10 MiB). */
  payload: string;
  /** `""` (data), `"end"` or `"error"`. */
  payloadtype?: string;
}

/** `channelreadmsg`: read a channel from an index. */
export interface ChannelReadMsg {
  /** The process. */
  processid: string;
  /** The channel's name. */
  name: string;
  /** Index into the log (not a sequence number) to read after. */
  afterseq: number;
  /** At most this many (0: all). */
  limit?: number;
}

/** A channel subscription: each step is one frame's batch of entries; `[]` ends it. */
export interface ChannelSubscription extends AsyncIterableIterator<MsgEntry[]> {
  /** Closes the socket; the iteration ends. */
  close(): void;
}

/** `subscribechannelmsg` (WebSocket): stream a channel's entries after an index. */
export interface SubscribeChannelMsg {
  /** The process. */
  processid: string;
  /** The channel's name. */
  name: string;
  /** Index into the log to start after. */
  afterseq?: number;
  /** Seconds until the server ends the stream with `[]` (default 30). */
  timeout?: number;
}

/** `addcolonymsg`: create a colony owned by `colony.colonyid`. */
export interface AddColonyMsg {
  /** The colony to create. */
  colony: Input<Colony>;
}

/** `removecolonymsg`: delete a colony and everything in it. */
export interface RemoveColonyMsg {
  /** The colony. */
  colonyname: string;
}

/** `getcoloniesmsg`: every colony. */
export interface GetColoniesMsg {
}

/** `getcolonymsg`: one colony. */
export interface GetColonyMsg {
  /** The colony. */
  colonyname: string;
}

/** `getcolonystatsmsg`: counts for one colony. */
export interface GetColonyStatisticsMsg {
  /** The colony. */
  colonyname: string;
}

/** `addcronmsg`: add a scheduled workflow. */
export interface AddCronMsg {
  /** The cron; `workflowspec` is a JSON string. */
  cron: Input<Cron>;
}

/** `getcronmsg`: one cron. */
export interface GetCronMsg {
  /** The cron. */
  cronid: string;
}

/** `getcronsmsg`: the crons of a colony. */
export interface GetCronsMsg {
  /** The colony. */
  colonyname: string;
  /** At most this many. */
  count?: number;
}

/** `runcronmsg`: start a cron's workflow now. */
export interface RunCronMsg {
  /** The cron. */
  cronid: string;
}

/** `removecronmsg`: delete a cron. */
export interface RemoveCronMsg {
  /** The cron. */
  cronid: string;
  /** Ignored by the server. */
  all?: boolean;
}

/** `addexecutormsg`: register an executor (it starts pending). */
export interface AddExecutorMsg {
  /** The executor; `executorid` is its key ID. */
  executor: Input<Executor>;
}

/** `getexecutorsmsg`: every executor of a colony, in every state. */
export interface GetExecutorsMsg {
  /** The colony. */
  colonyname: string;
}

/** `getexecutormsg`: one executor by name. */
export interface GetExecutorMsg {
  /** The colony. */
  colonyname: string;
  /** The executor. */
  executorname: string;
}

/** `getexecutorbyidmsg`: one executor by key ID. */
export interface GetExecutorByIdMsg {
  /** The colony. */
  colonyname: string;
  /** The executor's key ID. */
  executorid: string;
}

/** `approveexecutormsg`: let a pending executor work. */
export interface ApproveExecutorMsg {
  /** The colony. */
  colonyname: string;
  /** The executor. */
  executorname: string;
}

/** `rejectexecutormsg`: refuse an executor. */
export interface RejectExecutorMsg {
  /** The colony. */
  colonyname: string;
  /** The executor. */
  executorname: string;
}

/** `removeexecutormsg`: unregister an executor; its running processes go back to waiting. */
export interface RemoveExecutorMsg {
  /** The colony. */
  colonyname: string;
  /** The executor. */
  executorname: string;
}

/** `reportallocationmsg`: an executor reports its project allocations. */
export interface ReportAllocationMsg {
  /** The colony. */
  colonyname: string;
  /** The executor (must be the caller). */
  executorname: string;
  /** Allocations per project. */
  allocations: Input<Allocations>;
}

/** `updateexecutormsg`: an executor replaces its capabilities. */
export interface UpdateExecutorMsg {
  /** The colony. */
  colonyname: string;
  /** The executor (must be the caller). */
  executorname: string;
  /** The new capabilities. */
  capabilities: Input<Capabilities>;
}

/** `addfilemsg`: record a file revision. */
export interface AddFileMsg {
  /** The file. */
  file: Input<File>;
}

/** `getfilemsg`: a file by ID, or the revisions of `label` + `name`. */
export interface GetFileMsg {
  /** The colony. */
  colonyname: string;
  /** The file ID (takes precedence). */
  fileid?: string;
  /** The label. */
  label?: string;
  /** The file name. */
  name?: string;
  /** Only the newest revision. */
  latest?: boolean;
}

/** `getfilesmsg`: the files under a label. */
export interface GetFilesMsg {
  /** The colony. */
  colonyname: string;
  /** The label. */
  label: string;
}

/** `getfilelabelsmsg`: the labels of a colony. */
export interface GetFileLabelsMsg {
  /** The colony. */
  colonyname: string;
  /** Only this label and its sub-labels (empty: all). */
  name?: string;
  /** Only exactly this label. */
  exact?: boolean;
}

/** `removefilemsg`: delete a file by ID, or by `label` + `name`. */
export interface RemoveFileMsg {
  /** The colony. */
  colonyname: string;
  /** The file ID (takes precedence). */
  fileid?: string;
  /** The label. */
  label?: string;
  /** The file name. */
  name?: string;
}

/** `addfunctionmsg`: an executor registers a function it runs. */
export interface AddFunctionMsg {
  /** The function; `executorname` must be the caller. */
  fun: Input<ColoniesFunction>;
}

/** `getfunctionsmsg`: the functions of a colony, or of one executor. */
export interface GetFunctionsMsg {
  /** The colony. */
  colonyname: string;
  /** Only this executor's (empty: all). */
  executorname?: string;
}

/** `removefunctionmsg`: the owning executor removes a function. */
export interface RemoveFunctionMsg {
  /** The function. */
  functionid: string;
}

/** `addgeneratormsg`: add a generator. */
export interface AddGeneratorMsg {
  /** The generator; `workflowspec` is a JSON string. */
  generator: Input<Generator>;
}

/** `getgeneratormsg`: one generator, with its queue size. */
export interface GetGeneratorMsg {
  /** The generator. */
  generatorid: string;
}

/** `resolvegeneratormsg`: a generator by name. */
export interface ResolveGeneratorMsg {
  /** The colony. */
  colonyname: string;
  /** The generator's name. */
  generatorname: string;
}

/** `getgeneratorsmsg`: the generators of a colony. */
export interface GetGeneratorsMsg {
  /** The colony. */
  colonyname: string;
  /** At most this many. */
  count?: number;
}

/** `packgeneratormsg`: queue one argument for a generator's next workflow. */
export interface PackGeneratorMsg {
  /** The generator. */
  generatorid: string;
  /** The argument. */
  arg: string;
}

/** `removegeneratormsg`: delete a generator. */
export interface RemoveGeneratorMsg {
  /** The generator. */
  generatorid: string;
  /** Ignored by the server. */
  all?: boolean;
}

/** `addlocationmsg`: add a location to a colony. */
export interface AddLocationMsg {
  /** The location. */
  location: Input<Location>;
}

/** `getlocationsmsg`: the locations of a colony. */
export interface GetLocationsMsg {
  /** The colony. */
  colonyname: string;
}

/** `getlocationmsg`: one location by name. */
export interface GetLocationMsg {
  /** The colony. */
  colonyname: string;
  /** The location's name. */
  name: string;
}

/** `removelocationmsg`: delete a location. */
export interface RemoveLocationMsg {
  /** The colony. */
  colonyname: string;
  /** The location's name. */
  name: string;
}

/** `addlogmsg`: the assigned executor logs a line for its running process. */
export interface AddLogMsg {
  /** The process. */
  processid: string;
  /** The text. */
  message: string;
}

/** `addexecutorlogmsg`: an executor logs a line of its own. */
export interface AddExecutorLogMsg {
  /** The colony. */
  colonyname: string;
  /** The executor (must be the caller). */
  executorname: string;
  /** The text. */
  message: string;
}

/** `getlogsmsg`: the logs of a process or of an executor. */
export interface GetLogsMsg {
  /** The colony. */
  colonyname: string;
  /** The process (used when `executorname` is empty). */
  processid?: string;
  /** The executor (takes precedence). */
  executorname?: string;
  /** At most this many (> 500 is refused with 403). */
  count: number;
  /** Only lines after this Unix-ns time. */
  since?: number;
  /** The newest `count` lines instead of the oldest. */
  latest?: boolean;
}

/** `searchlogsmsg`: log lines containing a text. */
export interface SearchLogsMsg {
  /** The colony. */
  colonyname: string;
  /** The text to find. */
  text: string;
  /** How many days back (≤ 30). */
  days: number;
  /** At most this many (≤ 100). */
  count: number;
}

/** `submitfuncspecmsg`: submit one function spec; the reply is the waiting process. */
export interface SubmitFunctionSpecMsg {
  /** What to run; `conditions.colonyname` names the colony. */
  spec: Input<FunctionSpec>;
}

/** `assignprocessmsg`: an executor asks for work, long-polling up to `timeout` seconds. */
export interface AssignProcessMsg {
  /** The colony. */
  colonyname: string;
  /** Seconds to wait (`> 0`), or no wait (`< 0`); `0` is refused. */
  timeout: number;
  /** CPU the executor has free, e.g. `"4000m"` (empty: unlimited). */
  availablecpu?: string;
  /** Memory the executor has free, e.g. `"10G"` (empty: unlimited). */
  availablemem?: string;
}

/** `getprocessmsg`: one process. */
export interface GetProcessMsg {
  /** The process. */
  processid: string;
}

/** `getprocessesmsg`: processes of a colony in one state, filtered by type, initiator or label. */
export interface GetProcessesMsg {
  /** The colony. */
  colonyname: string;
  /** At most this many (≤ 100). */
  count: number;
  /** Only this state. */
  state: ProcessState;
  /** Only this executor type (first non-empty filter wins). */
  executortype?: string;
  /** Only this label. */
  label?: string;
  /** Only processes submitted by this user name. */
  initiator?: string;
}

/** `getprocesshistmsg`: processes submitted in the last `seconds`. */
export interface GetProcessHistoryMsg {
  /** The colony. */
  colonyname: string;
  /** Only processes of this executor (empty: the whole colony). */
  executorid?: string;
  /** How far back. */
  seconds: number;
  /** Only this state. */
  state: ProcessState;
}

/** `removeprocessmsg`: delete a finished or waiting process that is not in a workflow. */
export interface RemoveProcessMsg {
  /** The process. */
  processid: string;
  /** Ignored by the server. */
  all?: boolean;
}

/** `removeallprocessesmsg`: delete every process of a colony in a state (`-1`: any but running). */
export interface RemoveAllProcessesMsg {
  /** The colony. */
  colonyname: string;
  /** Which states; running is refused. */
  state: StateFilter;
}

/** `closesuccessfulmsg`: the assigned executor reports success. */
export interface CloseSuccessfulMsg {
  /** The process. */
  processid: string;
  /** Its output, any JSON. */
  out?: JsonValue[];
}

/** `closefailedmsg`: the assigned executor reports failure. */
export interface CloseFailedMsg {
  /** The process. */
  processid: string;
  /** Why it failed. */
  errors?: string[];
}

/** `setoutputmsg`: the assigned executor sets the output of a running process. */
export interface SetOutputMsg {
  /** The process. */
  processid: string;
  /** Its output, any JSON. */
  out: JsonValue[];
}

/** `cancelprocessmsg`: cancel a waiting or running process that is not in a workflow. */
export interface CancelProcessMsg {
  /** The process. */
  processid: string;
}

/** `pauseassignmentsmsg`: stop handing out processes of a colony. */
export interface PauseAssignmentsMsg {
  /** The colony. */
  colonyname: string;
}

/** `resumeassignmentsmsg`: hand out processes again. */
export interface ResumeAssignmentsMsg {
  /** The colony. */
  colonyname: string;
}

/** `getpausestatusmsg`: whether assignments are paused (reply payloadtype `pausestatusreplymsg`). */
export interface GetPauseStatusMsg {
  /** The colony. */
  colonyname: string;
}

/** `changeuseridmsg`: a user moves to a new key. */
export interface ChangeUserIdMsg {
  /** The colony. */
  colonyname: string;
  /** The new key ID (64 hex). */
  userid: string;
}

/** `changeexecutoridmsg`: an executor moves to a new key. */
export interface ChangeExecutorIdMsg {
  /** The colony. */
  colonyname: string;
  /** The new key ID (64 hex). */
  executorid: string;
}

/** `changecolonyidmsg`: a colony moves to a new owner key. */
export interface ChangeColonyIdMsg {
  /** The colony. */
  colonyname: string;
  /** The new owner key ID (64 hex). */
  colonyid: string;
}

/** `changeserveridmsg`: the server moves to a new owner key. */
export interface ChangeServerIdMsg {
  /** The new owner key ID. */
  serverid: string;
}

/** `versionmsg` (unsigned): the client's build; the reply is the server's, same shape. */
export interface VersionMsg {
  /** Build version (clients send `""`). */
  buildversion: string;
  /** Build time (clients send `""`). */
  buildtime: string;
}

/** `getserverinfomsg` (unsigned; the server does not even read the payload). */
export interface GetServerInfoMsg {
}

/** `getstatisticsmsg`: counts for the whole server. */
export interface GetStatisticsMsg {
}

/** `getclustermsg`: the servers sharing the database. */
export interface GetClusterMsg {
}

/** `createsnapshotmsg`: freeze the latest files of a label. */
export interface CreateSnapshotMsg {
  /** The colony. */
  colonyname: string;
  /** The label. */
  label: string;
  /** The snapshot's name, unique in the colony. */
  name: string;
}

/** `getsnapshotmsg`: a snapshot by ID or name. */
export interface GetSnapshotMsg {
  /** The colony. */
  colonyname: string;
  /** The snapshot ID (takes precedence). */
  snapshotid?: string;
  /** The snapshot's name. */
  name?: string;
}

/** `getsnapshotsmsg`: the snapshots of a colony. */
export interface GetSnapshotsMsg {
  /** The colony. */
  colonyname: string;
}

/** `removesnapshotmsg`: delete a snapshot by ID or name. */
export interface RemoveSnapshotMsg {
  /** The colony. */
  colonyname: string;
  /** The snapshot ID (takes precedence). */
  snapshotid?: string;
  /** The snapshot's name. */
  name?: string;
}

/** `removeallsnapshotmsg` (sic, singular): delete every snapshot of a colony. */
export interface RemoveAllSnapshotsMsg {
  /** The colony. */
  colonyname: string;
}

/** `subscribeprocessesmsg`: stream every process of a type entering a state.  Frames carry payloadtype `subscribeprocessmsg` (singular), as Go sends them. */
export interface SubscribeProcessesMsg {
  /** The colony. */
  colonyname: string;
  /** The executor type. */
  executortype: string;
  /** The state to report. */
  state: ProcessState;
  /** Seconds until the server closes the socket. */
  timeout?: number;
}

/** `subscribeprocessmsg`: one frame when a process reaches a state (at once if it already has). */
export interface SubscribeProcessMsg {
  /** The colony. */
  colonyname: string;
  /** The process. */
  processid: string;
  /** The executor type (empty: the process's). */
  executortype?: string;
  /** The state to wait for. */
  state: ProcessState;
  /** Seconds until the server gives up. */
  timeout?: number;
}

/** `addusermsg`: add a user to a colony. */
export interface AddUserMsg {
  /** The user; `userid` is its key ID. */
  user: Input<User>;
}

/** `getusersmsg`: every user of a colony. */
export interface GetUsersMsg {
  /** The colony. */
  colonyname: string;
}

/** `getusermsg`: one user by name. */
export interface GetUserMsg {
  /** The colony. */
  colonyname: string;
  /** The user's name. */
  name: string;
}

/** `getuserbyidmsg`: one user by key ID. */
export interface GetUserByIdMsg {
  /** The colony. */
  colonyname: string;
  /** The user's key ID. */
  userid: string;
}

/** `removeusermsg`: remove a user. */
export interface RemoveUserMsg {
  /** The colony. */
  colonyname: string;
  /** The user's name. */
  name: string;
}

/** `submitworkflowspecmsg`: submit a workflow; the reply is its process graph. */
export interface SubmitWorkflowSpecMsg {
  /** The workflow. */
  spec: Input<WorkflowSpec>;
}

/** `getprocessgraphmsg`: one process graph, with nodes and edges for drawing. */
export interface GetProcessGraphMsg {
  /** The graph. */
  processgraphid: string;
}

/** `getprocessgraphsmsg`: process graphs of a colony in one state, newest first. */
export interface GetProcessGraphsMsg {
  /** The colony. */
  colonyname: string;
  /** At most this many (≤ 100). */
  count: number;
  /** Only this state. */
  state: ProcessState;
}

/** `removeprocessgraphmsg`: delete a graph that is not running, and its processes. */
export interface RemoveProcessGraphMsg {
  /** The graph. */
  processgraphid: string;
  /** Ignored by the server. */
  all?: boolean;
}

/** `removeallprocessgraphsmsg`: delete every graph of a colony in a state. */
export interface RemoveAllProcessGraphsMsg {
  /** The colony. */
  colonyname: string;
  /** Which states; running is refused. */
  state: StateFilter;
}

/** `cancelprocessgraphmsg`: cancel a graph and its waiting and running processes. */
export interface CancelProcessGraphMsg {
  /** The graph. */
  processgraphid: string;
}

/** `addchildmsg`: the executor running a graph process adds a child to it. */
export interface AddChildMsg {
  /** The graph. */
  processgraphid: string;
  /** The running parent (assigned to the caller). */
  parentprocessid: string;
  /** An existing child the new process becomes parent of (empty: none). */
  childprocessid?: string;
  /** What the child runs. */
  spec: Input<FunctionSpec>;
  /** Insert between the parent and its children instead of adding a sibling branch. */
  insert?: boolean;
}
