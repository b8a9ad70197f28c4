import type { RequestTrace, TraceEntry } from '../../es/views/request-trace';
import { byId, element, getJson, row, streamLink } from './dom';

const KIND = { event: 'Event', 'integration-event': 'Published', failure: 'Failure' } as const;

function details(entry: TraceEntry): Node {
  const cell = document.createDocumentFragment();
  switch (entry.kind) {
    case 'event':
      cell.append(
        `${entry.type} at `,
        streamLink(entry.streamId),
        ` version ${entry.version}` +
          (entry.causedBy
            ? `, caused by ${entry.causedBy.type} ${entry.causedBy.afterMs} ms earlier`
            : ', the request itself') +
          `; processed by ${entry.handledBy.join(', ') || 'no consumer yet'}` +
          (entry.pendingFor.length > 0 ? `; pending for ${entry.pendingFor.join(', ')}` : ''),
      );
      break;
    case 'integration-event':
      cell.append(`${entry.detailType}, ${entry.afterMs} ms after its event was recorded`);
      break;
    case 'failure':
      cell.append(
        `${entry.consumer} ${entry.status} `,
        streamLink(entry.streamId),
        ` at version ${entry.version}: ${entry.error}`,
      );
      break;
  }
  return cell;
}

/** A bar from the request's start to this entry, on the scale of the whole request. */
function timing(entry: TraceEntry, durationMs: number): Node {
  const cell = element('span', `+${entry.elapsedMs} ms`, { class: 'elapsed' });
  const bar = element('span', '', { class: 'bar', 'aria-hidden': 'true' });
  bar.style.width = `${durationMs > 0 ? (entry.elapsedMs / durationMs) * 100 : 0}%`;
  const wrap = document.createDocumentFragment();
  wrap.append(cell, bar);
  return wrap;
}

/** Shows everything the request with this correlation id caused, in time order. */
export async function showTrace(correlationId: string): Promise<void> {
  byId<HTMLInputElement>('correlation').value = correlationId;
  const trace = await getJson<RequestTrace>(
    `/studio/api/trace?id=${encodeURIComponent(correlationId)}`,
  );
  const events = trace.entries.filter((entry) => entry.kind === 'event').length;
  byId('trace-summary').textContent =
    events === 0
      ? `No recent event carries correlation id ${correlationId}.`
      : `Request ${correlationId}: ${events} events, ${trace.durationMs} ms from first to last.`;
  byId('trace-entries').replaceChildren(
    ...trace.entries.map((entry) =>
      row([timing(entry, trace.durationMs), entry.at, KIND[entry.kind], details(entry)]),
    ),
  );
}
