import { erasureHandler } from './eventsourcing/personal';
import { domainEvents } from './domain-events';
import { tables } from './system';

/** `POST /subjects/{subjectId}/erasure`: erases a data subject across every context. */
export const handler = erasureHandler({
  catalogue: domainEvents,
  readModels: Object.keys(tables).filter(
    (key) => 'readModel' in tables[key as keyof typeof tables],
  ),
});
