import type { Construct } from 'constructs';
import { EventSourcingStack, type EventSourcingStackProps } from '../functions/eventsourcing/cdk';
import { systemDeclaration } from './declaration';
import { logAccountEvents, type AccountEventsLog } from './integration-events';

/**
 * This repository's system: the framework's stack built from `functions/system.ts` (or another
 * declaration, for tests), with an example subscription logging every account event.
 */
export class SystemStack extends EventSourcingStack {
  readonly accountEvents?: AccountEventsLog;

  constructor(
    scope: Construct,
    id: string,
    props: Omit<EventSourcingStackProps, 'declaration'> &
      Partial<Pick<EventSourcingStackProps, 'declaration'>>,
  ) {
    super(scope, id, { ...props, declaration: props.declaration ?? systemDeclaration });
    if (this.integrationEvents) {
      this.accountEvents = logAccountEvents(this.integrationEvents, props.settings.logRetention);
    }
  }
}
