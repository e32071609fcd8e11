import { defineOptions, functionOption, trustPolicySchema } from '@plinth/protocol';
import { limitOverridesSchema } from '@plinth/runtime';
import { z } from 'zod';
import { hostAppVersionOption, laneFactoryOption, pathOption, registryOption } from '../shared-options.js';
import type { InstallPluginOptions, UninstallPluginOptions } from './install-plugin.js';
import type { LoadPluginDirectoryOptions, LoadPluginOptions } from './load-plugin-directory.js';
import type { DirectoryOpenOptions } from './open-plugin-directory.js';
import type { InstallSource } from './read-install-source.js';
import type { WatchPluginsRootOptions } from './watch-plugins-root.js';

const directoryOpenShape = {
  hostAppVersion: hostAppVersionOption,
  bundleFor: functionOption('a function (pluginId) => HostBundle'),
  lane: laneFactoryOption.optional(),
  laneFor: functionOption('a function (entry) => LaneFactory').optional(),
  // What it returns is checked by openProtocolPluginFrom when each plugin opens.
  openOptions: functionOption('a function (entry) => open options').optional(),
  genericOpenOptions: functionOption('a function (entry) => openPlugin options').optional(),
  onWarning: functionOption().optional(),
  trust: z
    .union([functionOption('a function () => TrustPolicy | undefined'), trustPolicySchema])
    .describe('a trust policy, or a function () => TrustPolicy | undefined')
    .optional(),
  allowDowngrade: z.boolean().optional(),
  runningVersion: functionOption('a function (pluginId) => version | undefined').optional(),
  onSignature: functionOption().optional(),
};

export const directoryOpenOptionsSchema = defineOptions<DirectoryOpenOptions>()(
  z.strictObject(directoryOpenShape),
);

const loadShape = { ...directoryOpenShape, root: pathOption, registry: registryOption };

export const loadPluginDirectoryOptionsSchema = defineOptions<LoadPluginDirectoryOptions>()(
  z.strictObject({ ...loadShape, onProgress: functionOption().optional() }),
);

export const loadPluginOptionsSchema = defineOptions<LoadPluginOptions>()(
  z.strictObject({ ...loadShape, id: z.string().min(1) }),
);

export const watchPluginsRootOptionsSchema = defineOptions<WatchPluginsRootOptions>()(
  z.strictObject({
    ...loadShape,
    debounceMs: z.number().min(0).describe('a number of milliseconds (0 or more)').optional(),
    onEvent: functionOption().optional(),
  }),
);

export const installSourceSchema = defineOptions<InstallSource>()(
  z
    .union([
      z.strictObject({ path: pathOption }),
      z.strictObject({
        url: z.union([z.string().min(1), z.instanceof(URL)]).describe('a URL string or URL'),
        fetch: functionOption<typeof fetch>().optional(),
      }),
      z.strictObject({
        bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array).describe('a Uint8Array'),
        origin: z.string().optional(),
      }),
    ])
    .describe('a { path }, { url } or { bytes } source'),
);

export const installPluginOptionsSchema = defineOptions<InstallPluginOptions>()(
  z.strictObject({
    root: pathOption,
    source: installSourceSchema,
    // The pin's format is checked by the installer: it is often user input, refused as sha256_mismatch.
    sha256: z.string().optional(),
    replace: z.boolean().optional(),
    expectedId: z.string().min(1).optional(),
    hostAppVersion: hostAppVersionOption,
    limits: limitOverridesSchema.optional(),
    allowWasi: z.boolean().optional(),
    lane: laneFactoryOption.optional(),
    onStep: functionOption().optional(),
    trust: trustPolicySchema.optional(),
    signature: z
      .union([z.string(), z.custom<Uint8Array>((value) => value instanceof Uint8Array)])
      .describe("the signature file's text or bytes")
      .optional(),
    allowDowngrade: z.boolean().optional(),
    dryRun: z.boolean().optional(),
  }),
);

// The id is checked by the uninstaller (PluginDirectoryError `invalid_id`): it is often user input.
export const uninstallPluginOptionsSchema = defineOptions<UninstallPluginOptions>()(
  z.strictObject({ root: pathOption, id: z.string() }),
);
