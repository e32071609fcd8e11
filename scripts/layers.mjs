/**
 * The layering of the monorepo, in one place: which workspace packages each package may import, and
 * whether its main entry must stay runtime-neutral (no `node:` imports). The ESLint config and the
 * layering test both read this table.
 *
 * `nodeOnly` lists source globs (relative to the package) that are exposed only through Node-specific
 * subpath exports, where `node:` imports are allowed. `devMayImport` lists packages a package may name in
 * devDependencies only (for its benches), never import from its sources.
 */
export const LAYERS = {
  '@plinth/protocol': { dir: 'packages/protocol', mayImport: [], neutral: true },
  '@plinth/permissions': { dir: 'packages/permissions', mayImport: ['@plinth/protocol'], neutral: true },
  // Host capabilities: the bundle contract, serving, the permission gate, service interfaces and bundles.
  '@plinth/host-kit': {
    dir: 'packages/host-kit',
    mayImport: ['@plinth/protocol', '@plinth/permissions'],
    neutral: true,
  },
  '@plinth/runtime': {
    dir: 'packages/runtime',
    mayImport: ['@plinth/protocol', '@plinth/permissions', '@plinth/host-kit'],
    neutral: true,
    nodeOnly: ['src/node/**'],
  },
  // The browser host: IndexedDB stores, directory-handle files and fetch on the host kit's interfaces.
  '@plinth/host-browser': {
    dir: 'packages/host-browser',
    mayImport: ['@plinth/protocol', '@plinth/permissions', '@plinth/host-kit', '@plinth/runtime'],
    neutral: true,
  },
  // Node-only (node:crypto): build pipelines sign with it, hosts verify with it.
  '@plinth/signing': { dir: 'packages/signing', mayImport: ['@plinth/protocol'], neutral: false },
  '@plinth/host-node': {
    dir: 'packages/host-node',
    mayImport: [
      '@plinth/runtime',
      '@plinth/host-kit',
      '@plinth/permissions',
      '@plinth/protocol',
      '@plinth/signing',
    ],
    neutral: false,
  },
  // PostgreSQL stores on the runtime's store interfaces, and the plugin set and policy shared between Node
  // hosts: it reads and writes policy files the way host-node does (front matter included).
  '@plinth/host-postgres': {
    dir: 'packages/host-postgres',
    mayImport: [
      '@plinth/host-node',
      '@plinth/runtime',
      '@plinth/host-kit',
      '@plinth/permissions',
      '@plinth/protocol',
    ],
    neutral: false,
  },
  // Plugins as MCP tools, on createNodeHost or any source with plugins() and command().
  '@plinth/mcp': {
    dir: 'packages/mcp',
    mayImport: [
      '@plinth/host-node',
      '@plinth/runtime',
      '@plinth/host-kit',
      '@plinth/permissions',
      '@plinth/protocol',
    ],
    neutral: false,
  },
  // A browser dashboard for an app on createNodeHost; every change is the NodeHost's own method.
  '@plinth/dashboard': {
    dir: 'packages/dashboard',
    mayImport: [
      '@plinth/host-node',
      '@plinth/runtime',
      '@plinth/host-kit',
      '@plinth/permissions',
      '@plinth/protocol',
      '@plinth/signing',
    ],
    neutral: false,
  },
  // The guest corpus and its reader: files, metadata and the conformance table, no engine.
  '@plinth/guests': {
    dir: 'packages/guests',
    mayImport: ['@plinth/protocol'],
    // guest-as is AssemblyScript: its AssemblyScript guests build against it.
    devMayImport: ['@plinth/guest-as'],
    neutral: false,
  },
  '@plinth/testkit': {
    dir: 'packages/testkit',
    mayImport: [
      '@plinth/runtime',
      '@plinth/host-kit',
      '@plinth/permissions',
      '@plinth/protocol',
      '@plinth/guests',
    ],
    neutral: false,
  },
  '@plinth/guest-as': { dir: 'packages/guest-as', mayImport: [], neutral: true },
  '@plinth/demo': {
    dir: 'apps/demo',
    mayImport: [
      '@plinth/protocol',
      '@plinth/permissions',
      '@plinth/runtime',
      '@plinth/host-kit',
      '@plinth/host-node',
      '@plinth/host-postgres',
      '@plinth/host-browser',
      '@plinth/signing',
      '@plinth/mcp',
      '@plinth/dashboard',
      '@plinth/guests',
      '@plinth/guest-as',
    ],
    neutral: false,
  },
};
