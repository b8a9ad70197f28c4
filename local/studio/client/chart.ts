import { byId, getJson } from './dom';

interface RateBucket {
  readonly at: string;
  readonly events: number;
}

const WIDTH = 600;
const HEIGHT = 110;
const lagSamples: number[] = [];

function polyline(values: readonly number[], color: string): string {
  const top = Math.max(1, ...values);
  const step = WIDTH / Math.max(1, values.length - 1);
  const points = values
    .map(
      (value, index) =>
        `${(index * step).toFixed(1)},${(HEIGHT - (value / top) * (HEIGHT - 10)).toFixed(1)}`,
    )
    .join(' ');
  return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`;
}

/** Redraws the append rate (from the log) and the lag samples taken since the page opened. */
export async function refreshChart(lagSeconds: number): Promise<void> {
  lagSamples.push(lagSeconds);
  if (lagSamples.length > 150) lagSamples.shift();
  const rate = await getJson<RateBucket[]>('/studio/api/append-rate');
  const peak = Math.max(...rate.map((bucket) => bucket.events));
  const chart = byId('chart');
  chart.innerHTML =
    polyline(
      rate.map((bucket) => bucket.events),
      '#0b4f9c',
    ) + polyline(lagSamples, '#b3261e');
  // The chart's accessible name: what a screen reader says instead of the lines.
  chart.setAttribute(
    'aria-label',
    `Append rate: up to ${peak} events per 10 seconds over the last 5 minutes; ` +
      `largest consumer lag now ${lagSeconds.toFixed(1)} s`,
  );
}
