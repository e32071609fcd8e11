import { html } from 'hono/html';
import type { Html } from './layout.js';

const WIDTH = 120;
const HEIGHT = 28;

/**
 * Recent call durations as a small SVG line, drawn on the server (no script needed): the newest call is on
 * the right, the tallest point is the slowest recent call. Its text alternative says what it shows.
 */
export function sparkline(durationsMs: readonly number[], label: string): Html {
  if (durationsMs.length === 0) return html`<span class="muted">no calls yet</span>`;
  const max = Math.max(...durationsMs, 0.001);
  const step = durationsMs.length === 1 ? 0 : WIDTH / (durationsMs.length - 1);
  const points = durationsMs
    .map((ms, index) => `${round(index * step)},${round(HEIGHT - 1 - (ms / max) * (HEIGHT - 2))}`)
    .join(' ');
  const text = `${label}: the last ${durationsMs.length} calls, slowest ${formatMs(max)}`;
  return html`<svg
    class="sparkline"
    width="${WIDTH}"
    height="${HEIGHT}"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-label="${text}"
  >
    <title>${text}</title>
    <polyline
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
      points="${durationsMs.length === 1 ? `0,${HEIGHT / 2} ${WIDTH},${HEIGHT / 2}` : points}"
    />
  </svg>`;
}

const round = (value: number): number => Math.round(value * 10) / 10;

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}

/** A byte size in KiB or MiB (`–` when unknown). */
export function formatBytes(value: number | undefined): string {
  if (value === undefined) return '–';
  return value < 1024 * 1024
    ? `${(value / 1024).toFixed(0)} KiB`
    : `${(value / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatCount(value: number | undefined): string {
  return value === undefined ? '–' : value.toLocaleString('en-US');
}
