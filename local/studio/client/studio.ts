import { refreshChart } from './chart';
import { refreshConsumers } from './consumers-view';
import { byId, element, getJson, row } from './dom';
import { bindSealNow } from './seal-view';
import { bindTimeTravel, openStream, reopenStream } from './stream-view';

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
    body.prepend(row([String(event.position), event.streamId, event.type, event.recordedAt]));
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

byId('search').addEventListener('submit', (event) => {
  event.preventDefault();
  void search(byId<HTMLInputElement>('query').value.trim());
});
bindTimeTravel();
bindSealNow(reopenStream);
every(1000, followLog);
every(2000, async () => refreshChart(await refreshConsumers()));
