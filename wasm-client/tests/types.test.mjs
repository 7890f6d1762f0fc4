// The declarations against the code that reads replies: every list or map field declared in a
// model (protocol.d.ts, generated from colonies-core) must be one that js/runtime.js turns from
// Go's `null` into `[]`/`{}`.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

const source = (path) => readFile(new URL(path, import.meta.url), 'utf8');
const types = await source('../src/protocol.d.ts');
const runtime = await source('../js/runtime.js');
const set = (name) => new Set([...new RegExp(`const ${name} = new Set\\(\\[([^\\]]*)\\]`).exec(runtime)[1]
  .matchAll(/'(\w+)'/g)].map((m) => m[1]));

// Models come before the first message interface (`…Msg`).
const models = types.slice(0, types.indexOf('// ---- messages'));
const fields = [...models.matchAll(/^ {2}(\w+)\??: ([^;]+);/gm)].map(([, name, type]) => ({ name, type }));

test('every declared list and map field is normalised from null', () => {
  const lists = set('LISTS');
  const maps = set('MAPS');
  for (const { name, type } of fields) {
    if (type.endsWith('[]')) assert.ok(lists.has(name), `${name}: ${type} missing from LISTS`);
    if (type.startsWith('Record<') || type === 'JsonObject') assert.ok(maps.has(name), `${name}: ${type} missing from MAPS`);
  }
});

test('the generated declarations name no type that is not declared', async () => {
  // Declarations only: no doc comments, and not the raw exports of the wasm module.
  const all = (await source('../pkg/colonies_edge.d.ts')).replace(/\/\*[\s\S]*?\*\//g, '');
  const generated = all.slice(0, all.indexOf('export type InitInput'));
  const used = new Set([...generated.matchAll(/(?:request|options|key|payload)\??: ([A-Z]\w+)|Promise<([A-Z]\w+)/g)]
    .map((m) => m[1] ?? m[2]));
  const builtin = new Set(['Record', 'IteratorResult']);
  for (const name of used) {
    if (builtin.has(name)) continue;
    assert.match(generated, new RegExp(`export (interface|type|class) ${name}\\b`), name);
  }
  assert.doesNotMatch(generated.slice(generated.indexOf('export class Client')), /\): any;|: any\)/);
});
