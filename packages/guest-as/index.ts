// asc resolves `import … from "@plinth/guest-as"` to this file (it does not read `ascMain`).
export * from "./assembly/index";
