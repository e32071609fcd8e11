// Contract suites every implementation of a host service passes: Node backends, twins, PostgreSQL.
export {
  describeFilesContract,
  FILES_CONTRACT_POLICY,
  FILES_CONTRACT_WORKSPACE,
  type FilesContractSetup,
  type FilesContractSubject,
  type MakeFilesSubject,
} from './files.js';
export {
  describeSecretsContract,
  describeStorageContract,
  type StorageContractSubject,
  type StorageSubjectFactory,
  withContractSubject,
} from './storage.js';
export {
  describeNamespacesContract,
  type NamespacesContractSubject,
  type NamespacesSubjectFactory,
} from './namespaces.js';
export { type BasicsContractSetup, type BasicsContractSubject, describeBasicsContract } from './basics.js';
export {
  describeHttpContract,
  type HttpContractServerRequest,
  type HttpContractServerResponse,
  type HttpContractSubject,
  respondToHttpContractRequest,
} from './http.js';
export { describeWasiContract, WASI_CONTRACT_PLUGIN_ID, type WasiContractSubject } from './wasi.js';
export {
  playWasiContractModule,
  WASI_CONTRACT_MODULE_NAMES,
  WASI_CONTRACT_WAT,
  type WasiContractModule,
  wasiContractStandIn,
} from './wasi-modules.js';
export {
  describeWsContract,
  WS_CONTRACT_PLUGIN_IDS,
  type WsContractPeer,
  type WsContractSubject,
} from './ws.js';
export { callWire, callWireAny, callWireSync, type WireCaller } from './wire.js';
