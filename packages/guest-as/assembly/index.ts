// @plinth/guest-as: everything a Plinth protocol v1 guest needs, from one import.
export * from "./result";
export * from "./utf8";
export * from "./base64";
export * from "./json";
export * from "./io";
export * from "./manifest";
export * from "./cli";
export * from "./command";
export * from "./events";
export * from "./handlers";
export * from "./abort";
export * from "./host/shapes";
export * from "./host/files";
export * from "./host/http";
export * from "./host/storage";
export * from "./host/runtime";
export * from "./host/namespaces";
