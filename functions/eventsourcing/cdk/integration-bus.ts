import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/**
 * The EventBridge bus other systems subscribe to for the system's public integration events.
 * Only functions declared with `eventBus: 'integration'` may put events on it; subscribers add
 * rules of their own (to this construct, or from another stack by its ARN).
 */
export class IntegrationBus extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: { readonly stage: string }) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      description: `Public integration events of the event-sourcing system (${props.stage})`,
    });
  }
}
