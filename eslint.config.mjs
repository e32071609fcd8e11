// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYERS } from './scripts/layers.mjs';

/** For each package, forbid importing the workspace packages its layer may not depend on. */
const layeringRules = Object.entries(LAYERS).map(([name, layer]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== name && !layer.mayImport.includes(other));
  const patterns = [];
  if (forbidden.length > 0) {
    patterns.push({
      group: forbidden.flatMap((pkg) => [pkg, `${pkg}/*`]),
      message: `${name} may import only ${layer.mayImport.join(', ') || 'nothing of ours'} (see STYLE.md layering).`,
    });
  }
  if (layer.neutral) {
    patterns.push({
      group: ['node:*'],
      message: `${name} must run in browsers and workers: no node: imports in its main entry (use a Node-only subpath).`,
    });
  }
  return {
    files: [`${layer.dir}/src/**/*.ts`],
    ignores: [`${layer.dir}/src/**/*.test.ts`, ...(layer.nodeOnly ?? []).map((p) => `${layer.dir}/${p}`)],
    rules: patterns.length > 0 ? { 'no-restricted-imports': ['error', { patterns }] } : {},
  };
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      'docs-site/**',
      'packages/guest-as/**',
      'packages/guests/corpus/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { console: 'readonly', process: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The dashboard's browser script, served as written (no bundler).
    files: ['packages/dashboard/static/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', EventSource: 'readonly', HTMLOListElement: 'readonly' },
    },
  },
  ...layeringRules,
);
