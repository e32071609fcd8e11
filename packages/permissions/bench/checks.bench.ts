/**
 * Checks per second of the policy checker on a policy of 100 plugins × 9 rules × 20 scopes each, against a
 * baseline measured in the same run: the same number of `Map.get` calls on a prebuilt map. Not a test:
 * run `pnpm bench` and read the figures.
 */
import { PERMISSION_TYPES, type PermissionType } from '@plinth/protocol';
import { createPolicyChecker, type CheckRequest } from '../src/index.js';

const PLUGINS = 100;
const SCOPES = 20;

function scopesFor(type: PermissionType, plugin: number): { include: string[]; exclude: string[] } {
  const include: string[] = [];
  for (let i = 0; i < SCOPES; i++) {
    switch (type) {
      case 'http_requests':
        include.push(`api${i}.service${plugin}.example.com`);
        break;
      case 'execute_commands':
        include.push(`acme.p${plugin}:Command${i}`);
        break;
      case 'plugin_storage':
        include.push(i === 0 ? 'all' : `key${i}`);
        break;
      case 'namespaces':
        include.push(`ns${plugin}/area${i}`);
        break;
      default:
        include.push(i % 4 === 0 ? `Folder${i}/notes${i}.md` : `Folder${i}/Sub${i}`);
    }
  }
  const exclude =
    type === 'http_requests'
      ? ['admin.example.com']
      : type === 'plugin_storage'
        ? []
        : ['Folder1/Sub1/private'];
  return { include: include.slice(0, SCOPES - exclude.length), exclude };
}

const policy = {
  plugins: Object.fromEntries(
    Array.from({ length: PLUGINS }, (_, p) => [
      `acme.p${p}`,
      { permissions: Object.fromEntries(PERMISSION_TYPES.map((type) => [type, scopesFor(type, p)])) },
    ]),
  ),
};

function targetFor(type: PermissionType, plugin: number, i: number): string {
  switch (type) {
    case 'http_requests':
      return i % 3 === 0
        ? `https://api${i % 20}.service${plugin}.example.com/v1/items?q=${i}`
        : `https://other${i}.example.org/x`;
    case 'execute_commands':
      return `acme.p${plugin}:Command${i % 25}`;
    case 'plugin_storage':
      return `key${i}`;
    case 'namespaces':
      return `ns${plugin}/area${i % 25}/object${i}.json`;
    default:
      return i % 5 === 0
        ? `Folder1/Sub1/private/note${i}.md`
        : `Folder${i % 24}/Sub${i % 24}/2026/03/note${i}.md`;
  }
}

const requests: CheckRequest[] = [];
for (let i = 0; i < 4096; i++) {
  const type = PERMISSION_TYPES[i % PERMISSION_TYPES.length] as PermissionType;
  const plugin = (i * 7) % PLUGINS;
  requests.push({ pluginId: `acme.p${plugin}`, type, target: targetFor(type, plugin, i) });
}

const checker = createPolicyChecker({ policy });
const outcomes = { allowed: 0, denied: 0, not_configured: 0 };
for (const request of requests) outcomes[checker.check(request).outcome] += 1;

const baselineMap = new Map(requests.map((r, i) => [`${r.pluginId}|${r.target}`, i]));
const baselineKeys = requests.map((r) => `${r.pluginId}|${r.target}`);

let sink = 0;
function time(label: string, run: (n: number) => void, n: number): number {
  run(Math.min(n, 50_000)); // warm up
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    run(n);
    best.push((performance.now() - start) / n);
  }
  best.sort((a, b) => a - b);
  const msPer = best[0] as number;
  console.log(
    `${label.padEnd(28)} ${(msPer * 1000).toFixed(3).padStart(8)} µs/op  ${Math.round((1 / msPer) * 1000)
      .toLocaleString('en-US')
      .padStart(12)} ops/s`,
  );
  return msPer;
}

const N = 400_000;
console.log(
  `policy: ${PLUGINS} plugins × ${PERMISSION_TYPES.length} rules × ${SCOPES} scopes; ${requests.length} distinct requests`,
);
console.log(`outcomes per pass: ${JSON.stringify(outcomes)}`);
const baseline = time(
  'baseline (Map.get)',
  (n) => {
    for (let i = 0; i < n; i++) sink += baselineMap.get(baselineKeys[i & 4095] as string) ?? 0;
  },
  N * 4,
);
const check = time(
  'policy checker check()',
  (n) => {
    for (let i = 0; i < n; i++) sink += checker.check(requests[i & 4095] as CheckRequest).allowed ? 1 : 0;
  },
  N,
);
for (const type of PERMISSION_TYPES) {
  const subset = requests.filter((r) => r.type === type);
  time(
    `  ${type}`,
    (n) => {
      for (let i = 0; i < n; i++)
        sink += checker.check(subset[i % subset.length] as CheckRequest).allowed ? 1 : 0;
    },
    N / 4,
  );
}
console.log(`ratio check / baseline: ${(check / baseline).toFixed(1)}×`);
console.log(
  `target < 2 µs per check: ${check * 1000 < 2 ? 'met' : 'NOT met'} (${(check * 1000).toFixed(3)} µs)`,
);
if (sink === -1) console.log(sink);
