import { refreshChart } from './chart';
import { refreshConsumers } from './consumers-view';
import { byId, element, getJson, row, streamLink } from './dom';
import { openProcess, refreshProcesses } from './processes-view';
import { bindSealNow } from './seal-view';
import { bindTimeTravel, openStream, reopenStream } from './stream-view';
import { showTrace } from './trace-view';

interface StreamSummary {
  readonly streamId: string;
  readonly lastVersion: number;
  readonly lastType: string;
}

interface LogPage {
  readonly events: readonly {
    position: number;
    streamId: string;
    type: string;
    recordedAt: string;
  }[];
  readonly next: number;
}

async function search(query: string): Promise<void> {
  const { streams } = await getJson<{ streams: StreamSummary[] }>(
    `/studio/api/streams?prefix=${encodeURIComponent(query)}`,
  );
  const items = streams.map((stream) => {
    const button = element(
      'button',
      `${stream.streamId} (version ${stream.lastVersion}, ${stream.lastType})`,
      { type: 'button' },
    );
    button.addEventListener('click', () => void openStream(stream.streamId));
    const item = element('li');
    item.append(button);
    return item;
  });
  byId('stream-list').replaceChildren(
    ...(items.length > 0 ? items : [element('li', 'No stream found.')]),
  );
  if (streams.length === 0 && query) await openStream(query).catch(() => undefined);
}

let logPosition: number | undefined;

async function followLog(): Promise<void> {
  const page = await getJson<LogPage>(
    `/studio/api/log${logPosition === undefined ? '' : `?after=${logPosition}`}`,
  );
  logPosition = page.next;
  const body = byId('log');
  for (const event of page.events) {
    body.prepend(
      row([String(event.position), streamLink(event.streamId), event.type, event.recordedAt]),
    );
  }
  while (body.children.length > 50) body.lastElementChild?.remove();
}

function every(ms: number, task: () => Promise<unknown>): void {
  const run = () =>
    void task()
      .catch((error: unknown) => console.error(error))
      .finally(() => setTimeout(run, ms));
  run();
}

const views: Readonly<Record<string, (value: string) => Promise<void>>> = {
  stream: openStream,
  trace: showTrace,
  process: openProcess,
};

/**
 * Links between views are addresses: `#stream=ID` opens a stream, `#trace=ID` traces a request,
 * `#process=NAME` a process manager's instances (`NAME/ID` one of them), so the browser's back
 * button and a copied address work too.
 */
function route(): void {
  const [view, value] = decodeURIComponent(window.location.hash.slice(1)).split(/=(.*)/s);
  if (!value) return;
  const open = views[view!];
  if (!open) return;
  void open(value).then(() => byId(view!).scrollIntoView());
}

window.addEventListener('hashchange', route);
byId('trace-search').addEventListener('submit', (event) => {
  event.preventDefault();
  window.location.hash = `trace=${encodeURIComponent(byId<HTMLInputElement>('correlation').value.trim())}`;
});
byId('search').addEventListener('submit', (event) => {
  event.preventDefault();
  void search(byId<HTMLInputElement>('query').value.trim());
});
bindTimeTravel();
bindSealNow(reopenStream);
route();
void refreshProcesses();
every(1000, followLog);
every(2000, async () => refreshChart(await refreshConsumers()));
