#!/usr/bin/env node
// `npm start [-- --db FILE] [--port N] [--browser] [--no-build]`
//
// Builds the app, then opens the desktop window when the Electron binary is installed. Where it is not
// (electron is an optionalDependency whose download fails offline), or with --browser, or on Linux
// without a display, it serves the same UI in browser mode on 127.0.0.1 and prints the URL to open,
// access token included. --port applies to browser mode; --db to both.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const flags = new Set(['--browser', '--no-build']);
const passThrough = argv.filter((a) => !flags.has(a));

/** The Electron binary, or why there is none. */
function electron() {
  let binary;
  try {
    // The electron package's main module is the binary's path; it throws when the download failed.
    binary = require('electron');
  } catch (e) {
    return { reason: `Electron is not installed (${String(e.message).split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !fs.existsSync(binary))
    return { reason: `the Electron binary is missing (${binary})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { binary };
}

function run(file, args) {
  const r = spawnSync(file, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Runs a long-lived child in this terminal; this process lives exactly as long as it does. */
function hand(file, args) {
  const child = spawn(file, args, { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal; a SIGTERM sent to this process only is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const desktop = argv.includes('--browser') ? { reason: '--browser was given' } : electron();
if (!argv.includes('--no-build')) {
  run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
}
if (desktop.binary) {
  hand(desktop.binary, [
    '.',
    ...passThrough.filter((a, i, all) => a !== '--port' && all[i - 1] !== '--port'),
  ]);
} else {
  process.stderr.write(`contrastlab: opening in browser mode: ${desktop.reason}\n`);
  hand(process.execPath, [path.join(root, 'bin/contrastlab.js'), 'serve', ...passThrough]);
}
