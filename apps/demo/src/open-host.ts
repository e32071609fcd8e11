import { appendFileSync } from 'node:fs';
import {
  createNodeHost,
  type NodeHost,
  type NodeHostOptions,
  type NodeHostProgress,
} from '@plinth/host-node';
import type { Workspace } from './workspace.js';

/** The app version manifests' `min_app_version` is compared with. */
export const DEMO_APP_VERSION = '1.0.0';

export interface OpenHostOptions {
  workspace: Workspace;
  /** Progress lines (stderr). */
  progress: (line: string) => void;
  lane?: NodeHostOptions['lane'];
  /** Hot reload: watch the plugins root and the policy (long-running commands only). */
  watch?: boolean;
  onChange?: NodeHostOptions['onChange'];
}

function appendLine(file: string, record: unknown): void {
  try {
    appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), ...(record as object) })}\n`);
  } catch {
    // The log is a convenience for `logs`/`events`; losing a line must not fail the command.
  }
}

export function describeProgress(progress: NodeHostProgress): string {
  switch (progress.type) {
    case 'loading':
      return `loading ${progress.pluginId} (${progress.index + 1}/${progress.total})`;
    case 'loaded':
      return `loaded ${progress.pluginId}`;
    case 'skipped':
      return `skipped ${progress.pluginId}: ${progress.message}`;
    case 'installing':
      return `installing ${progress.source}: ${progress.step}`;
  }
}

/**
 * A NodeHost over the workspace: notes from `notes/`, plugins from `plinth/plugins`, policy from the notes'
 * README.md front matter; every log entry and plugin event is appended to `plinth/*.jsonl` for `logs`/`events`.
 */
export async function openHost(options: OpenHostOptions): Promise<NodeHost> {
  const { workspace } = options;
  const host = await createNodeHost({
    workspaceRoot: workspace.root,
    pluginsRoot: workspace.pluginsRoot,
    storagePath: workspace.storagePath,
    policy: { frontMatter: workspace.policyFile },
    hostAppVersion: DEMO_APP_VERSION,
    lane: options.lane ?? 'auto',
    watch: options.watch ?? false,
    onLog: (entry) => appendLine(workspace.logFile, entry),
    onEvent: (event) => appendLine(workspace.eventsFile, event),
    onProgress: (progress) => options.progress(describeProgress(progress)),
    ...(options.onChange ? { onChange: options.onChange } : {}),
  });
  return host;
}
