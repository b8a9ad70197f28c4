import type { PersonalData } from '../personal/personal-data.js';
import type { StreamedEvent } from './stream-records.js';

/** Handled events with their personal fields opened; one that does not open carries its error. */
export async function revealHandled(
  byStream: Map<string, StreamedEvent[]>,
  handled: ReadonlySet<string>,
  personalData: PersonalData | undefined,
): Promise<Map<string, StreamedEvent[]>> {
  if (!personalData) return byStream;
  const toReveal = [...byStream.values()]
    .flat()
    .filter((streamed) => handled.has(streamed.event.type) && !streamed.error);
  const revealed = await personalData.revealEach(toReveal.map((streamed) => streamed.event));
  const byEvent = new Map(toReveal.map((streamed, index) => [streamed.event, revealed[index]!]));
  for (const [streamId, events] of byStream) {
    byStream.set(
      streamId,
      events.map((streamed) => {
        const opened = byEvent.get(streamed.event);
        return opened ? { ...opened, sequenceNumber: streamed.sequenceNumber } : streamed;
      }),
    );
  }
  return byStream;
}
