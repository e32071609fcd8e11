import {
  WASI_CONTRACT_MODULE_NAMES,
  WASI_CONTRACT_WAT,
  type WasiContractModule,
} from '@plinth/testkit/contracts';
import loadWabt from 'wabt';

/** The WASI contract's modules compiled from their WAT by wabt, for runners on a real engine. */
export async function compileContractModules(): Promise<Record<WasiContractModule, Uint8Array>> {
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
