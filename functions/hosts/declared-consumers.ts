import {
  type BatchConsumer,
  type HostedConsumer,
  isBatchConsumer,
  isReaction,
} from '../eventsourcing/hosts';
import type { ConsumerDeclaration, StreamHostDeclaration } from '../eventsourcing/declaration';
import type { Projection, Reaction } from '../eventsourcing';

interface CodeByKind {
  readonly projection: Projection;
  readonly reaction: Reaction;
  readonly batch: BatchConsumer;
}

type CodeOf<Declared extends ConsumerDeclaration> = CodeByKind[Declared['kind']];

const kindOf = (consumer: HostedConsumer): ConsumerDeclaration['kind'] =>
  isBatchConsumer(consumer) ? 'batch' : isReaction(consumer) ? 'reaction' : 'projection';

/** The code of every consumer a host declares, by name: a missing or extra one does not compile. */
export type ConsumersCode<Host extends StreamHostDeclaration> = {
  readonly [Name in keyof Host['consumers']]: CodeOf<Host['consumers'][Name]>;
};

/**
 * A host's consumers, their code checked against the declaration: the names match, the kinds
 * match, and a projection writes the read model declared for it.
 */
export function declaredConsumers<Host extends StreamHostDeclaration>(
  host: Host,
  code: ConsumersCode<Host>,
): HostedConsumer[] {
  const byName = code as Readonly<Record<string, HostedConsumer>>;
  return Object.entries(host.consumers).map(([name, declared]) => {
    const consumer = byName[name]!;
    if (consumer.name !== name) {
      throw new Error(`Consumer '${name}' is declared, but its code is named '${consumer.name}'`);
    }
    const kind = kindOf(consumer);
    if (kind !== declared.kind) {
      throw new Error(`Consumer '${name}' is declared a ${declared.kind}; its code is a ${kind}`);
    }
    if (
      kind === 'projection' &&
      declared.tables[(consumer as Projection).readModel] !== 'readWrite'
    ) {
      throw new Error(
        `Projection '${name}' writes ${(consumer as Projection).readModel}, which its declaration does not give it`,
      );
    }
    return consumer;
  });
}
