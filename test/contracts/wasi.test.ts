import { createNodeWasiRunner } from '@plinth/host-node/wasi';
import {
  describeWasiContract,
  playWasiContractModule,
  WASI_CONTRACT_MODULE_NAMES,
  wasiContractStandIn,
  type WasiContractModule,
} from '@plinth/testkit/contracts';
import { createScriptedWasiRunner } from '@plinth/testkit/twins';
import { compileContractModules } from './wasi-contract-modules.js';

describeWasiContract('scripted twin', () => {
  const modules = Object.fromEntries(
    WASI_CONTRACT_MODULE_NAMES.map((name) => [name, wasiContractStandIn(name)]),
  ) as Record<WasiContractModule, Uint8Array>;
  const runner = createScriptedWasiRunner(
    WASI_CONTRACT_MODULE_NAMES.map((name) => ({
      module: modules[name],
      respond: (run) => playWasiContractModule(name, run),
    })),
  );
  return { runner, modules };
});

describeWasiContract('node:wasi in a worker', async () => ({
  runner: createNodeWasiRunner(),
  modules: await compileContractModules(),
}));
