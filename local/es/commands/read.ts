import { feedEvent } from '../../../functions/global-log/feed-event';
import { integerOption, listOption, type EsCommand } from '../command';

export const read: EsCommand = {
  name: 'read',
  summary: 'events of the global log after a position, as JSON lines',
  usage: `read [--after P] [--limit N] [--types A,B]

  Prints the events after position P (default 0) as JSON lines, then the position to read on
  from (next: P) on stderr.
  --limit N     at most N events (default 100, at most 1000)
  --types A,B   only events of these types`,
  options: { after: { type: 'string' }, limit: { type: 'string' }, types: { type: 'string' } },
  async run(input, context) {
    const after = integerOption(input, 'after', {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fallback: 0,
    })!;
    const limit = integerOption(input, 'limit', { min: 1, max: 1000, fallback: 100 })!;
    const types = listOption(input, 'types');
    const { events, next } = await context.log.read({ after, limit, ...(types ? { types } : {}) });
    for (const event of events) context.io.print(JSON.stringify(feedEvent(event)));
    context.io.progress(`next: ${next}`);
    return 0;
  },
};
