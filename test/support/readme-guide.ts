import { readFileSync } from 'node:fs';

/** What a README section's walkthrough holds: files to write and packages to install. */
export interface Guide {
  /** The section's text. */
  readonly text: string;
  /** Each code block titled with a path (```ts title="src/counter.ts"), by that path. */
  readonly files: ReadonlyMap<string, string>;
  /** The arguments of its `npm install` commands, flags left out, in order. */
  readonly installs: readonly string[];
}

/** The section of `readmePath` under the second-level heading `heading`, up to the next one. */
export function readGuide(readmePath: string, heading: string): Guide {
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`No section "## ${heading}" in ${readmePath}`);
  const end = readme.indexOf('\n## ', start + 1);
  const text = readme.slice(start, end < 0 ? undefined : end);
  const files = new Map<string, string>();
  const installs: string[] = [];
  for (const [, language, title, code] of text.matchAll(
    /\n```(\w+)(?: title="([^"]+)")?\n([\s\S]*?)\n```/g,
  )) {
    if (title) files.set(title, `${code}\n`);
    if (language !== 'bash') continue;
    for (const line of code!.split('\n')) {
      const words = line.replace(/#.*/, '').trim().split(/\s+/);
      if (words[0] !== 'npm' || words[1] !== 'install') continue;
      installs.push(...words.slice(2).filter((word) => !word.startsWith('-')));
    }
  }
  return { text, files, installs };
}
