import { byId, element, getJson, row, streamLink } from './dom';
import { processLink } from './processes-view';

interface Status {
  readonly name: string;
  readonly kind: string;
  readonly checkpoint: number;
  readonly pending: number;
  readonly lagSeconds: number;
  readonly parked: number;
  readonly failing: number;
}

interface Parked {
  readonly consumer: string;
  readonly streamId: string;
  readonly status: string;
  readonly version: number;
  readonly eventType?: string;
  readonly error: string;
}

interface ConsumersView {
  readonly consumers: readonly Status[];
  readonly parked: readonly Parked[];
  /** The consumers that are process managers. */
  readonly processes: readonly string[];
}

interface RedriveAnswer {
  readonly consumer: string;
  readonly streams: readonly { streamId: string; released: boolean; error?: string }[];
}

async function redrive(consumer: string): Promise<void> {
  if (!window.confirm(`Replay the parked streams of ${consumer} from the events table?`)) return;
  const answer = await getJson<RedriveAnswer>(
    `/studio/api/redrive?consumer=${encodeURIComponent(consumer)}`,
    { method: 'POST' },
  );
  byId('redrive-result').textContent =
    answer.streams
      .map(
        (s) =>
          `${answer.consumer}: ${s.streamId} ${s.released ? 'released' : `still parked: ${s.error ?? ''}`}`,
      )
      .join('; ') || `${answer.consumer}: nothing parked`;
  await refreshConsumers();
}

function parkedItem(record: Parked): HTMLLIElement {
  const item = element('li', `${record.consumer}: `) as HTMLLIElement;
  item.append(
    streamLink(record.streamId),
    ` ${record.status} at version ${record.version} (${record.eventType ?? 'event'}): ${record.error} `,
  );
  if (record.status === 'parked') {
    const button = element('button', `Redrive ${record.consumer}`, { type: 'button' });
    button.addEventListener('click', () => void redrive(record.consumer));
    item.append(button);
  }
  return item;
}

/** The parked streams and process managers on show, as JSON. */
let shownParked: string | undefined;
let shownProcesses: string | undefined;

/** Links to the process managers' instances, below the table that is redrawn every reload. */
function showProcessLinks(names: readonly string[]): void {
  const shown = JSON.stringify(names);
  if (shown === shownProcesses) return;
  shownProcesses = shown;
  const links = names.flatMap((name, index) =>
    index > 0 ? [', ', processLink(name)] : [processLink(name)],
  );
  byId('consumer-processes').replaceChildren(
    ...(names.length > 0 ? ['Process managers among them (their instances): ', ...links] : []),
  );
}

/** Reloads the consumers table and parked streams; returns the largest lag. */
export async function refreshConsumers(): Promise<number> {
  const view = await getJson<ConsumersView>('/studio/api/consumers');
  byId('consumers').replaceChildren(
    ...view.consumers.map((s) =>
      row([
        s.name,
        s.kind,
        String(s.checkpoint),
        String(s.pending),
        s.lagSeconds.toFixed(1),
        String(s.parked),
        String(s.failing),
      ]),
    ),
  );
  showProcessLinks(view.processes);
  // Redrawn only when it changed, so a redrive button keeps the keyboard focus between reloads.
  const parked = JSON.stringify(view.parked);
  if (parked !== shownParked) {
    shownParked = parked;
    byId('parked').replaceChildren(
      ...(view.parked.length > 0 ? view.parked.map(parkedItem) : [element('li', 'None.')]),
    );
  }
  return Math.max(0, ...view.consumers.map((s) => s.lagSeconds));
}
