import { createNodeWasiRunner } from '@plinth/host-node/wasi';
import {
  describeWasiContract,
  playWasiContractModule,
  WASI_CONTRACT_MODULE_NAMES,
  WASI_CONTRACT_WAT,
  wasiContractStandIn,
  type WasiContractModule,
} from '@plinth/testkit/contracts';
import { createScriptedWasiRunner } from '@plinth/testkit/twins';
import loadWabt from 'wabt';

/** The contract modules compiled from their WAT by wabt. */
async function compileContractModules(): Promise<Record<WasiContractModule, Uint8Array>> {
  const wabt = await loadWabt();
  const compile = (name: WasiContractModule) => {
    const module = wabt.parseWat(`${name}.wat`, WASI_CONTRACT_WAT[name]);
    try {
      module.resolveNames();
      module.validate();
      return Uint8Array.from(module.toBinary({}).buffer);
    } finally {
      module.destroy();
    }
  };
  return Object.fromEntries(WASI_CONTRACT_MODULE_NAMES.map((name) => [name, compile(name)])) as Record<
    WasiContractModule,
    Uint8Array
  >;
}

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
