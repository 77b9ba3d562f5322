/**
 * `npm run build` (electron-vite build):
 *
 *   out/main/index.js             Electron main process (src-main/app/main.ts), ESM
 *   out/main/engine-host.js       the engine host process the main process starts (src-main/engine-host)
 *   out/main/runner/worker.js     the run worker, forked by the engine host (workerEntry() in
 *                                 engine/services/worker-process.ts looks for ./runner/worker.js beside
 *                                 the bundle that contains it: out/main/engine-host.js)
 *   out/main/runner/job-worker.js the background-job worker (linear probes), found the same way
 *   out/main/runner/dataset-worker.js reads a dataset for the Datasets view and builds its cache
 *   out/main/runner/input-thread.js a run's input thread (data/input-pipeline.ts looks for it)
 *   out/preload/index.cjs         the preload (CommonJS: sandboxed preloads cannot be ES modules)
 *   out/renderer/                 the Vue app (src-renderer/index.html), also what `serve` serves
 *
 * None of this needs the Electron binary. electron-vite reads Electron's version from the installed
 * package to pick build targets; where the optional package is absent (its download fails offline) the
 * version comes from package.json instead.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import rendererConfig from './src-renderer/vite.config';

function electronMajorFromPackageJson(): string {
  const pkg = JSON.parse(fs.readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const range = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? '';
  return /(\d+)/.exec(range)?.[1] ?? '';
}

if (!process.env.ELECTRON_MAJOR_VER) {
  try {
    createRequire(resolve(__dirname, 'package.json')).resolve('electron/package.json');
  } catch {
    process.env.ELECTRON_MAJOR_VER = electronMajorFromPackageJson();
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/app/main.ts'),
          'engine-host': resolve(__dirname, 'src-main/engine-host/main.ts'),
          'runner/worker': resolve(__dirname, 'src-main/engine/runner/worker.ts'),
          'runner/job-worker': resolve(__dirname, 'src-main/engine/runner/job-worker.ts'),
          'runner/dataset-worker': resolve(__dirname, 'src-main/engine/runner/dataset-worker.ts'),
          'runner/input-thread': resolve(__dirname, 'src-main/engine/data/input-thread.ts'),
        },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  // The renderer's own Vite config (plugins, defines, base './', out/renderer) is the one source of truth;
  // electron-vite only needs to be told its entry.
  renderer: {
    ...rendererConfig,
    build: {
      ...rendererConfig.build,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
