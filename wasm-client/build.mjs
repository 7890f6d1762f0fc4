// Builds the npm package `colonies-edge` into wasm-client/pkg:
//   wasm-pack (release, --target web) → wasm-opt -Oz (binaryen 132 from npm, never Debian's) →
//   the package's own entry points, declarations and package.json → size report.
// Usage: node wasm-client/build.mjs [--dev]   (npm run build:wasm)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const pkg = join(here, 'pkg');
const dev = process.argv.includes('--dev');
const NAME = 'colonies_edge';
const GZIP_BUDGET = 120 * 1024;

const env = { ...process.env };
env.PATH = [join(root, 'node_modules', '.bin'), join(process.env.HOME ?? '', '.cargo', 'bin'), env.PATH].join(':');
// The package is built for size. Only the profile's default changes: the per-package
// `opt-level = 3` of k256 and its field arithmetic (root Cargo.toml) still apply, so
// signature recovery keeps its speed (docs/toolchain.md).
env.CARGO_PROFILE_RELEASE_OPT_LEVEL ??= 'z';
env.CARGO_PROFILE_RELEASE_CODEGEN_UNITS ??= '1';
env.CARGO_PROFILE_RELEASE_LTO ??= 'fat';

function run(command, args) {
  console.log(`$ ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: here, env, stdio: 'inherit' });
}

run('wasm-pack', ['build', dev ? '--dev' : '--release', '--target', 'web', '--out-dir', 'pkg',
  '--out-name', NAME, '--no-pack']);

const wasm = join(pkg, `${NAME}_bg.wasm`);
const rawBefore = statSync(wasm).size;
if (!dev) {
  const wasmOpt = join(root, 'node_modules', '.bin', 'wasm-opt');
  if (!existsSync(wasmOpt)) throw new Error('wasm-opt missing: run `npm ci` at the repository root');
  // The features rustc enables by default for wasm32-unknown-unknown, and no others, so the
  // output runs wherever the unoptimised module does.
  run(wasmOpt, [wasm, '-o', wasm, '-Oz', '--strip-debug', '--strip-producers',
    '--enable-bulk-memory', '--enable-mutable-globals', '--enable-nontrapping-float-to-int',
    '--enable-sign-ext', '--enable-reference-types', '--enable-multivalue']);
}

// The snippet directory holds js/runtime.js (ColoniesError); its name carries a hash.
const snippets = readdirSync(join(pkg, 'snippets'));
if (snippets.length !== 1) throw new Error(`expected one snippet directory, found ${snippets}`);
const runtime = `./snippets/${snippets[0]}/js/runtime.js`;

const template = (file) => readFileSync(join(here, 'js', file), 'utf8').replaceAll('__RUNTIME__', runtime);
for (const file of ['index.js', 'index.d.ts', 'node.js', 'workerd.js', 'executor.js', 'executor.d.ts']) {
  writeFileSync(join(pkg, file), template(file));
}
copyFileSync(join(here, 'README.md'), join(pkg, 'README.md'));

const crate = readFileSync(join(here, '..', 'Cargo.toml'), 'utf8');
const version = /\[workspace\.package\][^[]*?version = "([^"]+)"/s.exec(crate)[1];
const manifest = {
  name: 'colonies-edge',
  version,
  description: 'Colonies (colonyos v1.9.12 protocol) in WebAssembly: keys, a typed client for every RPC, subscriptions, an executor loop. Browsers, Node >= 20, Workers.',
  license: 'MIT OR Apache-2.0',
  repository: { type: 'git', url: 'https://github.com/colonies-edge/colonies-edge', directory: 'wasm-client' },
  type: 'module',
  engines: { node: '>=20' },
  exports: {
    '.': {
      types: './index.d.ts',
      workerd: './workerd.js',
      node: './node.js',
      default: './index.js',
    },
    './web': { types: './index.d.ts', default: './index.js' },
    [`./${NAME}_bg.wasm`]: `./${NAME}_bg.wasm`,
  },
  types: './index.d.ts',
  main: './index.js',
  files: ['*.js', '*.d.ts', `${NAME}_bg.wasm`, 'snippets/', 'README.md'],
  sideEffects: ['./node.js', './workerd.js'],
};
writeFileSync(join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const bytes = readFileSync(wasm);
const gzip = gzipSync(bytes, { level: 9 }).length;
const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`\n${relative(root, wasm)}: ${bytes.length} bytes (${kb(bytes.length)}) raw` +
  `${dev ? '' : `, ${kb(rawBefore)} before wasm-opt`}; gzip -9 ${gzip} bytes (${kb(gzip)}); brotli ${brotli} bytes (${kb(brotli)})`);
if (!dev && gzip > GZIP_BUDGET) {
  console.error(`over budget: ${kb(gzip)} gzipped > ${kb(GZIP_BUDGET)}`);
  process.exit(1);
}
