import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { untilAborted, type CliIo } from './cli-io.js';

export interface TailOptions {
  file: string;
  /** How many of the last records to print first. */
  lines: number;
  follow: boolean;
  format: (record: Record<string, unknown>) => string;
  io: CliIo;
  /** How often `--follow` looks for new lines. */
  pollMs?: number;
}

function render(line: string, format: TailOptions['format']): string {
  try {
    return format(JSON.parse(line) as Record<string, unknown>);
  } catch {
    return line;
  }
}

export function formatLogRecord(record: Record<string, unknown>): string {
  const plugin = typeof record['pluginId'] === 'string' ? ` ${record['pluginId']}` : '';
  return `${String(record['time'])} ${String(record['level']).padEnd(5)} ${String(record['source'])}${plugin}: ${String(record['message'])}`;
}

export function formatEventRecord(record: Record<string, unknown>): string {
  const { time, type, pluginId, ...rest } = record;
  return `${String(time)} ${String(type)} ${String(pluginId)} ${JSON.stringify(rest)}`;
}

/**
 * Prints the last `lines` records of a JSON-lines file, then (with `follow`) every line appended to it until
 * the signal aborts. Polling keeps it independent of the platform's file-watch quirks.
 */
export async function tailFile(options: TailOptions): Promise<void> {
  const { file, io, format } = options;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const lines = complete.split('\n').filter(Boolean);
  const last = options.lines > 0 ? lines.slice(-options.lines) : [];
  if (last.length === 0 && !options.follow) io.stderr(`nothing recorded yet in ${file}\n`);
  for (const line of last) io.stdout(`${render(line, format)}\n`);
  if (!options.follow) return;
  let offset = Buffer.byteLength(complete);
  let pending = '';
  const poll = () => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < offset) offset = 0; // truncated or replaced: start over
    if (size === offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const chunk = pending + buffer.toString('utf8');
    const end = chunk.lastIndexOf('\n');
    pending = chunk.slice(end + 1);
    for (const line of chunk
      .slice(0, end + 1)
      .split('\n')
      .filter(Boolean))
      io.stdout(`${render(line, format)}\n`);
  };
  const timer = setInterval(poll, options.pollMs ?? 200);
  try {
    await untilAborted(options.io.signal);
    poll();
  } finally {
    clearInterval(timer);
  }
}
