/**
 * Layering: dependencies point down only.
 *   worker -> streams -> transport -> codec   (each may also use src/errors.ts)
 *   testing -> codec (a server must never depend on the client); type-only imports of the
 *   client's and worker's public types are allowed for the marble-testing helpers.
 *   src/cli may use everything; src/index.ts only re-exports.
 */
const layer = (name, forbidden) => ({
  name: `${name}-imports-downward-only`,
  severity: 'error',
  comment: `src/${name} may not import ${forbidden.join(', ')}`,
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${forbidden.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'codec-is-pure',
      severity: 'error',
      comment: 'src/codec has no I/O beyond node:stream, no RxJS, and imports no other layer',
      from: { path: '^src/codec/' },
      to: { path: '^(src/(transport|streams|worker|testing|cli)/|node_modules/rxjs)' },
    },
    layer('transport', ['streams', 'worker', 'testing', 'cli']),
    layer('streams', ['worker', 'testing', 'cli']),
    layer('worker', ['testing', 'cli']),
    {
      name: 'testing-uses-codec-only',
      severity: 'error',
      comment: 'src/testing may use src/codec (and type-only imports of the public client/worker types)',
      from: { path: '^src/testing/' },
      to: { path: '^src/(transport|streams|worker|cli)/', dependencyTypesNot: ['type-only'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
    {
      name: 'no-dev-dependencies-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
