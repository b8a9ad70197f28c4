/** The element with this id (the page declares every one the client uses). */
export const byId = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T;

/** A new element with text content. */
export function element(tag: string, text = '', attributes: Record<string, string> = {}) {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A table row of cells (strings become text; nodes are added as they are). */
export function row(cells: readonly (string | Node)[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    td.append(cell);
    tr.append(td);
  }
  return tr;
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A link that opens a stream in the studio (`#stream=ID`). */
export const streamLink = (streamId: string) =>
  element('a', streamId, { href: `#stream=${encodeURIComponent(streamId)}` });

/** A link that traces a request in the studio (`#trace=ID`). */
export const traceLink = (correlationId: string) =>
  element('a', correlationId, {
    href: `#trace=${encodeURIComponent(correlationId)}`,
    'aria-label': `Trace request ${correlationId}`,
  });
