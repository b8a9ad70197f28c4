import { byId, element, getJson, row, traceLink } from './dom';
import { hashCell, sealCell, type SealStatus } from './seal-view';

interface StudioEvent {
  readonly eventId: string;
  readonly version: number;
  readonly type: string;
  readonly recordedAt: string;
  readonly data: unknown;
  readonly metadata?: Record<string, unknown>;
  readonly hash?: string;
  readonly seal?: SealStatus;
}

interface History {
  readonly streamId: string;
  readonly kind?: string;
  readonly events: readonly StudioEvent[];
  readonly states?: readonly unknown[];
}

let history: History | undefined;

/**
 * Metadata with correlation and causation as links: to the request's trace, and to the event
 * caused by when it is here.
 */
function metadataCell(metadata: Record<string, unknown> = {}): Node {
  const list = element('dl');
  for (const [name, value] of Object.entries(metadata)) {
    list.append(element('dt', name));
    const target = history?.events.find((event) => event.eventId === value);
    const linked = name === 'causationId' && target;
    const item = element('dd', linked || name === 'correlationId' ? '' : String(value));
    if (linked) item.append(element('a', String(value), { href: `#event-${target.version}` }));
    if (name === 'correlationId') item.append(traceLink(String(value)));
    list.append(item);
  }
  return list;
}

function showState(version: number): void {
  byId('version-label').textContent = String(version);
  if (!history) return;
  const state = version === 0 ? '(before the first event)' : history.states?.[version - 1];
  byId('state').textContent =
    history.states === undefined
      ? 'No decider is known for this stream.'
      : JSON.stringify(state, null, 2);
}

/** Shows a stream's events and sets the time-travel slider to its last version. */
export async function openStream(streamId: string): Promise<void> {
  history = await getJson<History>(`/studio/api/stream?id=${encodeURIComponent(streamId)}`);
  byId('stream').hidden = false;
  byId('stream-title').textContent =
    `Stream ${streamId}${history.kind ? ` (${history.kind})` : ''}`;
  const rows = history.events.map((event) => {
    const tr = row([
      String(event.version),
      event.type,
      event.recordedAt,
      element('pre', JSON.stringify(event.data, null, 2)),
      metadataCell(event.metadata),
      sealCell(streamId, event.version, event.seal),
      hashCell(event.hash),
    ]);
    tr.id = `event-${event.version}`;
    return tr;
  });
  byId('events').replaceChildren(...rows);
  const slider = byId<HTMLInputElement>('version');
  slider.max = String(history.events.length);
  slider.value = String(history.events.length);
  showState(history.events.length);
}

/** Reads the open stream again (its seal statuses change when the log is sealed). */
export async function reopenStream(): Promise<void> {
  if (history) await openStream(history.streamId);
}

export function bindTimeTravel(): void {
  const slider = byId<HTMLInputElement>('version');
  slider.addEventListener('input', () => showState(Number(slider.value)));
}
