export {
  makeDecision,
  deniedMessage,
  notConfiguredMessage,
  type PermissionDecision,
  type DecisionOutcome,
  type DecisionReason,
  type DecisionRule,
  type DecisionInput,
} from './decision.js';
export { emitAudit, createMemoryAuditSink, type AuditSink } from './audit.js';
export { prepareTarget, type CheckRequest, type PermissionChecker, type PreparedTarget } from './checker.js';
export { normalizeTarget } from './normalize-target.js';
export { TARGET_LIMITS } from './target-limits.js';
export { normalizeFilePath, type NormalizeResult } from './file-path.js';
export { hostOfTarget, normalizeHostPattern, isIpHost } from './http-host.js';
export { normalizeNamespaceKey } from './namespace-key.js';
export { normalizeScope, type NormalizedScope } from './normalize-scope.js';
export { parseScope, isAllScope, type ParsedScope } from './scope.js';
export { isFilePattern, foldPath } from './path-scope.js';
export { FILE_PERMISSION_TYPES, isFilePermission, isPermissionType } from './permission-kinds.js';
export { CompiledPolicy, type Resolution } from './compiled-policy.js';
export { PolicyError, describeIssue } from './policy-error.js';
export { PolicyStore, type PolicyProvider, type PolicySource } from './policy-source.js';
export { createDenyAllChecker, type DenyAllCheckerOptions } from './checkers/deny-all.js';
export { createAllowAllChecker, type AllowAllCheckerOptions } from './checkers/allow-all.js';
export { createPolicyChecker, type PolicyCheckerOptions } from './checkers/policy-checker.js';
export {
  createAskChecker,
  type AskChecker,
  type AskCheckerOptions,
  type AskAnswer,
  type AskPrompt,
} from './checkers/ask-checker.js';
export { firstDecisive, requireAll, type ComposeOptions } from './checkers/compose.js';
export { addGrant, grantScopeFor, removeGrant, type PermissionGrant, type RevokedGrant } from './grant.js';
export { applyInstallDefaults, type InstallDefaultsResult } from './install-defaults.js';
export { permissionRequest, type PermissionRequest } from './permission-request.js';
export { clampPermissionRequest, type ClampedRequest, type DroppedScope } from './clamp-request.js';
export {
  resolveStorageQuota,
  quotaOfRule,
  fitsQuota,
  formatBytes,
  type StorageQuota,
  type StorageQuotaOptions,
} from './quota.js';
export {
  describePermissions,
  summarizePermissions,
  summarizePluginPolicy,
  type SummaryOptions,
} from './summary.js';
