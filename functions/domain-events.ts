import { accountEvents } from './accounts/events';
import { EventCatalogue } from './eventsourcing';
import { orderEvents } from './orders/events';
import { transferEvents } from './transfers/events';

/**
 * Every event type the system stores, with its schema and upcasters: the catalogue for code that
 * reads events of every domain (stream consumers, operator tools).
 */
export const domainEvents = EventCatalogue.combine(accountEvents, orderEvents, transferEvents);
