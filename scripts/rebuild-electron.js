#!/usr/bin/env node
// `npm run rebuild:electron`: builds better-sqlite3 for the installed Electron's ABI into
// native/electron-<ABI>/better_sqlite3.node, where the desktop app's main process looks for it
// (src-main/app/main.ts passes it to the Store as `nativeBinding`). The Node build in node_modules is
// left alone, so the CLI, `serve` and the tests keep working; `electron-rebuild` would replace it.
//
// Needs the Electron binary and internet: a prebuilt module is fetched (prebuild-install), or failing
// that compiled from source against Electron's headers (node-gyp, with a C++ toolchain).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

function fail(message) {
  process.stderr.write(`rebuild:electron: ${message}\n`);
  process.exit(1);
}

let binary;
try {
  binary = require('electron');
} catch {
  fail('the electron package is not installed (its binary download needs internet); nothing to rebuild for');
}
if (typeof binary !== 'string' || !fs.existsSync(binary)) fail(`the Electron binary is missing (${binary})`);
const version = require('electron/package.json').version;
// Electron's own Node reports the ABI the module must be built for.
const abi = execFileSync(binary, ['-p', 'process.versions.modules'], {
  env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  encoding: 'utf8',
}).trim();

const source = path.dirname(require.resolve('better-sqlite3/package.json'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-sqlite-electron-'));
fs.cpSync(source, work, { recursive: true, filter: (f) => !f.startsWith(path.join(source, 'build')) });

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const common = { cwd: work, stdio: 'inherit', shell: process.platform === 'win32' };
process.stdout.write(`building better-sqlite3 for Electron ${version} (ABI ${abi}, ${process.arch})\n`);
let ok =
  spawnSync(
    npx,
    ['--yes', 'prebuild-install', '--runtime', 'electron', '--target', version, '--arch', process.arch],
    common,
  ).status === 0;
if (!ok) {
  ok =
    spawnSync(
      npx,
      [
        '--yes',
        'node-gyp',
        'rebuild',
        '--release',
        `--target=${version}`,
        `--arch=${process.arch}`,
        '--dist-url=https://electronjs.org/headers',
      ],
      common,
    ).status === 0;
}
const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
if (!ok || !fs.existsSync(built))
  fail(`could not build better-sqlite3 for Electron (see above; work folder ${work})`);

const dest = path.join(root, 'native', `electron-${abi}`);
fs.mkdirSync(dest, { recursive: true });
fs.copyFileSync(built, path.join(dest, 'better_sqlite3.node'));
fs.rmSync(work, { recursive: true, force: true });
process.stdout.write(`wrote ${path.relative(root, path.join(dest, 'better_sqlite3.node'))}\n`);
