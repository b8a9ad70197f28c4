import type { Spread } from './stats';

/** Formatting shared by the report's sections. */

export const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const number = (value: number, digits: number) =>
  digits === 0 ? integer.format(value) : value.toFixed(digits);

/** `median (min–max)`, the form of every figure in the report. */
export const figure = (s: Spread, digits = 0) =>
  s.min === s.max
    ? number(s.median, digits)
    : `${number(s.median, digits)} (${number(s.min, digits)}–${number(s.max, digits)})`;

export const ratio = (s: Spread) =>
  `**${s.median.toFixed(2)}×** (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

export const table = (header: readonly string[], rows: readonly (readonly string[])[]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
