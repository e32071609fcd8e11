import { defineOptions } from '@plinth/protocol';
import { filesBundleOptionsSchema } from '@plinth/host-kit';
import { z } from 'zod';
import { pathListOption, pathOption } from '../shared-options.js';
import type { FsBundleOptions } from './fs-bundle.js';
import type { HostPaths } from './host-paths.js';
import type { NodeWorkspaceFilesOptions } from './node-workspace-files.js';

const hostPathsSchema = defineOptions<HostPaths>()(
  z.strictObject({ hidden: pathListOption.optional(), readOnly: pathListOption.optional() }),
);

const workspaceFilesShape = {
  root: pathOption,
  maxReadBytes: z
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .describe('a whole number of bytes (0 or more)')
    .optional(),
  hostPaths: hostPathsSchema.optional(),
};

export const nodeWorkspaceFilesOptionsSchema = defineOptions<NodeWorkspaceFilesOptions>()(
  z.strictObject(workspaceFilesShape),
);

export const fsBundleOptionsSchema = defineOptions<FsBundleOptions>()(
  filesBundleOptionsSchema.omit({ files: true }).extend(workspaceFilesShape),
);
