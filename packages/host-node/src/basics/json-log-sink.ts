import { checkOptions } from '@plinth/protocol';
import type { GuestLogEntry, GuestLogSink } from '@plinth/host-kit';
import { jsonLogSinkOptionsSchema } from './basics-options.js';

/** What `createJsonLogSink` needs: the stream to write to. */
export interface JsonLogSinkOptions {
  /** Where the lines go, e.g. `process.stderr` or a file stream. */
  stream: {
    /** Takes one JSON line, newline included; the answer is ignored. */
    write(chunk: string): unknown;
  };
  /** The `time` of each line. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** One line of the JSON log: snake_case like the wire, so log tooling and guests agree on names. */
export interface JsonLogLine {
  time: string;
  level: GuestLogEntry['level'];
  plugin_id: string;
  plugin_version?: string;
  message: string;
  dropped?: number;
}

/**
 * A log sink writing one JSON object per line. JSON escaping keeps every entry on its own line even for
 * a sink fed unsanitized text; `createLogBundle` sanitizes first anyway.
 */
export function createJsonLogSink(options: JsonLogSinkOptions): GuestLogSink {
  checkOptions('createJsonLogSink', jsonLogSinkOptionsSchema, options);
  const now = options.now ?? Date.now;
  return (entry) => {
    const line: JsonLogLine = {
      time: new Date(now()).toISOString(),
      level: entry.level,
      plugin_id: entry.pluginId,
      ...(entry.pluginVersion === undefined ? {} : { plugin_version: entry.pluginVersion }),
      message: entry.message,
      ...(entry.dropped === undefined ? {} : { dropped: entry.dropped }),
    };
    options.stream.write(`${JSON.stringify(line)}\n`);
  };
}

/** Reads lines written by `createJsonLogSink` back into entries (for tests and log tooling). */
export function parseJsonLogLines(text: string): GuestLogEntry[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as JsonLogLine;
      return {
        pluginId: parsed.plugin_id,
        ...(parsed.plugin_version === undefined ? {} : { pluginVersion: parsed.plugin_version }),
        level: parsed.level,
        message: parsed.message,
        ...(parsed.dropped === undefined ? {} : { dropped: parsed.dropped }),
      };
    });
}
