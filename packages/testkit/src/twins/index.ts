export {};
export * from './files.js';
export * from './storage.js';
export * from './namespaces.js';
export * from './basics.js';
export * from './http.js';
export * from './wasi.js';
export * from './ws.js';
