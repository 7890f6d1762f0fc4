// Builds the dashboard into web-demo/dist: a static site (index.html, app/, and the npm package
// colonies-edge under vendor/) that any web server can host; `colonies-edge serve` serves it at /.
// The app is plain ES modules, so building is copying: no bundler, nothing fetched.
// Usage: node web-demo/build.mjs   (npm run build:dashboard; needs `npm run build:wasm` first)
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', 'wasm-client', 'pkg');
const dist = join(here, 'dist');

if (!existsSync(join(pkg, 'colonies_edge_bg.wasm'))) {
  console.error(`${relative(process.cwd(), pkg)} has no built package: run \`npm run build:wasm\` first.`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
cpSync(join(here, 'index.html'), join(dist, 'index.html'));
cpSync(join(here, 'app'), join(dist, 'app'), { recursive: true });
// What a browser loads of the package: its modules, the wasm and the runtime snippet; not the
// declarations, the README or the Node and Workers entries.
const browserFile = (path) => statSync(path).isDirectory() ||
  (/\.(js|wasm)$/.test(path) && !/[/\\](node|workerd)\.js$/.test(path));
cpSync(pkg, join(dist, 'vendor', 'colonies-edge'), { recursive: true, filter: browserFile });

let files = 0;
let bytes = 0;
(function count(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) count(path);
    else {
      files++;
      bytes += statSync(path).size;
    }
  }
})(dist);
console.log(`${relative(process.cwd(), dist)}: ${files} files, ${(bytes / 1024).toFixed(0)} KiB`);
