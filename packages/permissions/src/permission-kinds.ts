import { PERMISSION_TYPES, type PermissionType } from '@plinth/protocol';

/** The permission types whose targets are workspace file paths. */
export const FILE_PERMISSION_TYPES = [
  'read_files',
  'edit_files',
  'create_files',
  'delete_files',
  'move_files',
] as const satisfies readonly PermissionType[];

const FILE_TYPES: ReadonlySet<string> = new Set(FILE_PERMISSION_TYPES);
const KNOWN_TYPES: ReadonlySet<string> = new Set(PERMISSION_TYPES);

/** Whether the permission type's targets are workspace file paths. */
export const isFilePermission = (type: string): boolean => FILE_TYPES.has(type);
/** Whether the string is one of the protocol's permission types. */
export const isPermissionType = (type: string): type is PermissionType => KNOWN_TYPES.has(type);
