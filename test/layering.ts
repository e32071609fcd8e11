import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';
import ts from 'typescript';

export interface Layer {
  dir: string;
  mayImport: readonly string[];
  neutral: boolean;
  nodeOnly?: readonly string[];
  /** Allowed in devDependencies only (benches); imports from src are still held to `mayImport`. */
  devMayImport?: readonly string[];
}

export interface Violation {
  pkg: string;
  file: string;
  message: string;
}

/** Import specifiers of a TypeScript source: static, `export … from`, dynamic and `import type`. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const workspacePackageOf = (specifier: string) => {
  const match = /^(@plinth\/[^/]+)/.exec(specifier);
  return match?.[1];
};

/** Checks manifests and import statements of every package against the layering table. */
export function checkLayering(root: string, layers: Readonly<Record<string, Layer>>): Violation[] {
  const violations: Violation[] = [];
  for (const [pkg, layer] of Object.entries(layers)) {
    const pkgDir = join(root, layer.dir);
    const manifestPath = join(pkgDir, 'package.json');
    if (!existsSync(manifestPath)) {
      violations.push({ pkg, file: manifestPath, message: 'package.json is missing' });
      continue;
    }
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string>>;
    if ((manifest['name'] as unknown) !== pkg) {
      violations.push({
        pkg,
        file: manifestPath,
        message: `name is ${String(manifest['name'])}, expected ${pkg}`,
      });
    }
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      for (const dep of Object.keys(manifest[field] ?? {})) {
        const devOnly = field === 'devDependencies' && (layer.devMayImport ?? []).includes(dep);
        if (dep in layers && !layer.mayImport.includes(dep) && !devOnly) {
          violations.push({
            pkg,
            file: manifestPath,
            message: `${field} lists ${dep}, which ${pkg} may not depend on`,
          });
        }
      }
    }
    const isNodeOnly = picomatch((layer.nodeOnly ?? []) as string[]);
    for (const file of sourceFiles(join(pkgDir, 'src'))) {
      const rel = relative(pkgDir, file);
      const isTest = /\.test\.ts$/.test(file) || rel.includes('__fixtures__');
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const target = workspacePackageOf(specifier);
        if (target && target !== pkg && !layer.mayImport.includes(target)) {
          violations.push({
            pkg,
            file: rel,
            message: `imports ${specifier}; ${pkg} may not import ${target}`,
          });
        }
        if (target && target !== pkg && !(target in (manifest['dependencies'] ?? {})) && !isTest) {
          violations.push({
            pkg,
            file: rel,
            message: `imports ${target} without declaring it in dependencies`,
          });
        }
        if (layer.neutral && !isTest && specifier.startsWith('node:') && !isNodeOnly(rel)) {
          violations.push({
            pkg,
            file: rel,
            message: `imports ${specifier}; ${pkg} must stay runtime-neutral outside ${(layer.nodeOnly ?? []).join(', ') || 'any subpath'}`,
          });
        }
      }
    }
    if (layer.neutral) violations.push(...checkMainEntry(pkg, pkgDir, manifest, isNodeOnly));
  }
  return violations;
}

/** Walks the relative imports reachable from the "." export and refuses any Node-only file or `node:` import. */
function checkMainEntry(
  pkg: string,
  pkgDir: string,
  manifest: Record<string, unknown>,
  isNodeOnly: (path: string) => boolean,
): Violation[] {
  const exportsMap = manifest['exports'] as Record<string, { import?: string } | string> | undefined;
  const main = exportsMap?.['.'];
  const distPath = typeof main === 'string' ? main : main?.import;
  if (!distPath) return [];
  const entry = join(pkgDir, distPath.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
  const seen = new Set<string>();
  const queue = [entry];
  const violations: Violation[] = [];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const rel = relative(pkgDir, file);
    if (isNodeOnly(rel))
      violations.push({ pkg, file: rel, message: `is Node-only but reachable from the main entry` });
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('node:')) {
        violations.push({ pkg, file: rel, message: `main entry reaches ${specifier}` });
      } else if (specifier.startsWith('.')) {
        queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      }
    }
  }
  return violations;
}
