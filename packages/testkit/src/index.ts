export * from './guests/catalogue.js';
export * from './guests/direct-host.js';
export * from './guests/conformance.js';
