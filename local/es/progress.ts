import type { RebuildProgress } from '../../functions/eventsourcing/operator';
import { formatNumber } from './command';

const BAR_WIDTH = 24;

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${Math.ceil(seconds % 60)}s`
    : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

/** `[#########-----]` for a fraction from 0 to 1. */
function progressBar(fraction: number, width = BAR_WIDTH): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** One line of a rebuild's progress: bar, done/total, events per second, time left. */
export function formatProgress(p: RebuildProgress): string {
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const eta = p.etaSeconds === undefined ? '' : `, ETA ${formatSeconds(p.etaSeconds)}`;
  return (
    `${p.projection} → generation ${p.generation} [${p.phase}] ${progressBar(fraction)} ` +
    `${formatNumber(p.done)}/${formatNumber(p.total)} (${(100 * fraction).toFixed(1)}%), ` +
    `${formatNumber(p.eventsPerSecond)} events/s${eta}`
  );
}
