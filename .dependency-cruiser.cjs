/**
 * The layers of ContrastLab (docs/ARCHITECTURE.md) and the directions imports may take, checked by
 * `npm run check:deps` (part of `npm test`). A module may import its own layer and the layers listed
 * before it, never one after it; no import cycles anywhere. Type-only imports count too.
 */

/** Lowest first. Each is a path prefix (a regular expression on the path from the repository root). */
const layers = [
  { name: 'domain', path: '^src-main/domain/' },
  { name: 'api', path: '^src-main/api/' },
  { name: 'engine/util', path: '^src-main/engine/util/' },
  { name: 'engine/backend', path: '^src-main/engine/backend/' },
  { name: 'engine/losses', path: '^src-main/engine/losses/' },
  { name: 'engine/nn', path: '^src-main/engine/nn/' },
  { name: 'engine/data', path: '^src-main/engine/data/' },
  { name: 'engine/methods', path: '^src-main/engine/methods/' },
  { name: 'engine/eval', path: '^src-main/engine/eval/' },
  { name: 'engine/runner', path: '^src-main/engine/runner/' },
  { name: 'engine/store', path: '^src-main/engine/store/' },
  { name: 'engine/services', path: '^src-main/engine/services/' },
  { name: 'engine', path: '^src-main/engine/[^/]+$' },
  { name: 'transports', path: '^src-main/transports/' },
  // The entry points: none of them imports another.
  { name: 'entry points', path: '^src-main/(cli|app|preload|engine-host)/' },
];

const entryPoints = ['cli', 'app', 'preload', 'engine-host'];

const higher = (i) => layers.slice(i + 1).map((l) => l.path);

const layerRules = layers.slice(0, -1).map((layer, i) => ({
  name: `${layer.name}-imports-downward`,
  comment: `${layer.name} may import only itself and the layers below it`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: higher(i) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'domain-imports-nothing-of-the-project',
      severity: 'error',
      from: { path: '^src-main/domain/' },
      to: { path: '^(src-main|src-renderer)/', pathNot: '^src-main/domain/' },
    },
    ...entryPoints.map((entry) => ({
      name: `${entry}-is-independent`,
      comment:
        'the CLI, the Electron main process, the preload and the engine host process do not import each other',
      severity: 'error',
      from: { path: `^src-main/${entry}/` },
      to: { path: `^src-main/(${entryPoints.filter((e) => e !== entry).join('|')})/` },
    })),
    {
      name: 'app-does-not-host-the-engine',
      comment:
        "Electron's main process starts the engine host process (src-main/engine-host) and relays the API to it; it never runs the engine itself",
      severity: 'error',
      from: { path: '^src-main/app/' },
      to: { path: '^src-main/engine/', pathNot: '^src-main/engine/store/location[.]ts$' },
    },
    {
      name: 'renderer-sees-only-the-api',
      comment: 'the renderer knows the engine only through the API and the domain types',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/(api|domain)/' },
    },
    {
      name: 'engine-never-imports-electron',
      severity: 'error',
      from: { path: '^src-main/(domain|api|engine|transports)/' },
      to: { path: '(^|/)node_modules/electron/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules|^src-main/(dnnl|vulkan)-addon/build/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.vue', '.mjs', '.cjs', '.json'] },
  },
};
