// @plinth/host-node/policy: permission policies kept in files — a YAML/JSON policy file or a workspace
// markdown file's front matter — re-read on change, and written back atomically.
export { PolicyFileError } from './policy-file-error.js';
export {
  policyFromFile,
  policyFromFrontMatter,
  type PolicyFileSource,
  type PolicyFileSourceOptions,
} from './policy-file-source.js';
export { savePolicyFile, type SavePolicyFileOptions } from './save-policy-file.js';
export { parsePolicyText, POLICY_FILE_MAX_BYTES, type PolicyFileFormat } from './parse-policy-text.js';
export { splitFrontMatter, type FrontMatter, type FrontMatterSplit } from './front-matter.js';
export { applyManifestDefaults } from './install-defaults.js';
