import { byId, getJson } from './dom';

interface RateBucket {
  readonly at: string;
  readonly events: number;
}

interface LagSample {
  readonly at: number;
  readonly seconds: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const BUCKET_MS = 10_000;
/** The plot inside the 640 × 220 view box; the margins hold the axes and their labels. */
const PLOT = { left: 56, right: 584, top: 24, bottom: 184 } as const;
const RATE_COLOR = '#0b4f9c';
const LAG_COLOR = '#b3261e';
const lagSamples: LagSample[] = [];

/** A round top for an axis: 1, 2 or 5 times a power of ten, at least `value` and 1. */
function niceTop(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= value) ?? 10 * power;
}

function svg(tag: string, attributes: Record<string, string | number>, text?: string): Element {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

interface Scales {
  readonly x: (ms: number) => number;
  readonly rate: (events: number) => number;
  readonly lag: (seconds: number) => number;
  readonly rateTop: number;
  readonly lagTop: number;
  readonly start: number;
  readonly end: number;
}

function axes({ rate, lag, rateTop, lagTop, start, end, x }: Scales): Element[] {
  const nodes: Element[] = [];
  for (const fraction of [0, 0.5, 1]) {
    const y = rate(rateTop * fraction);
    nodes.push(
      svg('line', { x1: PLOT.left, x2: PLOT.right, y1: y, y2: y, stroke: '#ddd' }),
      svg('text', { x: PLOT.left - 6, y: y + 4, 'text-anchor': 'end' }, String(rateTop * fraction)),
      svg('text', { x: PLOT.right + 6, y: lag(lagTop * fraction) + 4 }, `${lagTop * fraction} s`),
    );
  }
  for (let minute = 5; minute >= 0; minute -= 1) {
    const at = end - minute * 60_000;
    if (at < start) continue;
    nodes.push(
      svg('line', { x1: x(at), x2: x(at), y1: PLOT.bottom, y2: PLOT.bottom + 4, stroke: '#444' }),
      svg(
        'text',
        { x: x(at), y: PLOT.bottom + 18, 'text-anchor': 'middle' },
        minute === 0 ? 'now' : `−${minute} min`,
      ),
    );
  }
  nodes.push(
    svg('line', {
      x1: PLOT.left,
      x2: PLOT.right,
      y1: PLOT.bottom,
      y2: PLOT.bottom,
      stroke: '#444',
    }),
    svg('text', { x: 4, y: 10, fill: RATE_COLOR }, 'events / 10 s'),
    svg('text', { x: 636, y: 10, 'text-anchor': 'end', fill: LAG_COLOR }, 'lag (s)'),
    svg('text', { x: 320, y: 216, 'text-anchor': 'middle' }, 'minutes before now'),
  );
  return nodes;
}

function line(points: readonly (readonly [number, number])[], color: string): Element {
  const list = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  return svg('polyline', { fill: 'none', stroke: color, 'stroke-width': 2, points: list });
}

/** What the chart says at one bucket: its time, its events and the lag sampled in it. */
function readout(bucket: RateBucket): string {
  const from = Date.parse(bucket.at);
  const sampled = lagSamples.filter((s) => s.at >= from && s.at < from + BUCKET_MS);
  const lag = sampled.length > 0 ? Math.max(...sampled.map((s) => s.seconds)) : undefined;
  return (
    `${clock(from)}–${clock(from + BUCKET_MS)} UTC: ${bucket.events} events appended` +
    (lag === undefined ? '; lag not sampled' : `; largest lag ${lag.toFixed(1)} s`)
  );
}

/** A transparent band over each bucket: pointing at it shows its values below the chart. */
function hoverBands(rate: readonly RateBucket[], scales: Scales): Element[] {
  const width = scales.x(BUCKET_MS) - scales.x(0);
  return rate.map((bucket) => {
    const band = svg('rect', {
      class: 'band',
      x: scales.x(Date.parse(bucket.at)),
      y: PLOT.top,
      width,
      height: PLOT.bottom - PLOT.top,
      fill: 'transparent',
    });
    band.append(svg('title', {}, readout(bucket)));
    band.addEventListener('mouseenter', () => {
      byId('chart-readout').textContent = readout(bucket);
    });
    return band;
  });
}

/** Redraws the append rate (from the log) and the lag samples taken since the page opened. */
export async function refreshChart(lagSeconds: number): Promise<void> {
  const now = Date.now();
  lagSamples.push({ at: now, seconds: lagSeconds });
  const rate = await getJson<RateBucket[]>('/studio/api/append-rate');
  const start = Date.parse(rate[0]!.at);
  const end = Date.parse(rate.at(-1)!.at) + BUCKET_MS;
  while (lagSamples.length > 0 && lagSamples[0]!.at < start) lagSamples.shift();
  const peak = Math.max(...rate.map((bucket) => bucket.events));
  const rateTop = niceTop(peak);
  const lagTop = niceTop(Math.max(...lagSamples.map((s) => s.seconds)));
  const height = PLOT.bottom - PLOT.top;
  const scales: Scales = {
    x: (ms) => PLOT.left + ((ms - start) / (end - start)) * (PLOT.right - PLOT.left),
    rate: (events) => PLOT.bottom - (events / rateTop) * height,
    lag: (seconds) => PLOT.bottom - (seconds / lagTop) * height,
    rateTop,
    lagTop,
    start,
    end,
  };
  const chart = byId('chart');
  chart.replaceChildren(
    ...axes(scales),
    line(
      rate.map((b) => [scales.x(Date.parse(b.at) + BUCKET_MS / 2), scales.rate(b.events)]),
      RATE_COLOR,
    ),
    line(
      lagSamples.map((s) => [scales.x(s.at), scales.lag(s.seconds)]),
      LAG_COLOR,
    ),
    // The newest sample as a dot: a line needs two, and a page just opened has one.
    svg('circle', { cx: scales.x(now), cy: scales.lag(lagSeconds), r: 3, fill: LAG_COLOR }),
    ...hoverBands(rate, scales),
  );
  // The chart's accessible name: what a screen reader says instead of the lines.
  chart.setAttribute(
    'aria-label',
    `Append rate: up to ${peak} events per 10 seconds over the last 5 minutes; ` +
      `largest consumer lag now ${lagSeconds.toFixed(1)} s`,
  );
}
