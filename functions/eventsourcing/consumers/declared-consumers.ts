import type {
  ConsumerDeclaration,
  ReactionDeclaration,
  StreamHostDeclaration,
} from '../declaration/stream-hosts.js';
import type { Projection } from '../projection.js';
import { isBatchConsumer, type BatchConsumer } from './batch-consumer.js';
import type { HostedConsumer } from './host.js';
import { isReaction, type Reaction } from './reaction.js';

interface CodeByKind {
  readonly projection: Projection;
  readonly reaction: Reaction;
  readonly batch: BatchConsumer;
}

type CodeOf<Declared extends ConsumerDeclaration> = CodeByKind[Declared['kind']];

const kindOf = (consumer: HostedConsumer): ConsumerDeclaration['kind'] =>
  isBatchConsumer(consumer) ? 'batch' : isReaction(consumer) ? 'reaction' : 'projection';

/**
 * The code of every consumer a host declares without it (no `create`), by name: a missing or
 * extra one does not compile.
 */
export type ConsumersCode<Host extends StreamHostDeclaration> = {
  readonly [
    Name in keyof Host['consumers'] as Host['consumers'][Name] extends {
      readonly create: unknown;
    }
      ? never
      : Name
  ]: CodeOf<Host['consumers'][Name]>;
};

/** Refuses code that is not what its declaration says: another name, another kind, another table. */
function checkCode(name: string, declared: ConsumerDeclaration, consumer: HostedConsumer): void {
  if (consumer.name !== name) {
    throw new Error(`Consumer '${name}' is declared, but its code is named '${consumer.name}'`);
  }
  const kind = kindOf(consumer);
  if (kind !== declared.kind) {
    throw new Error(`Consumer '${name}' is declared a ${declared.kind}; its code is a ${kind}`);
  }
  const readModel = kind === 'projection' ? (consumer as Projection).readModel : undefined;
  if (readModel !== undefined && declared.tables[readModel] !== 'readWrite') {
    throw new Error(
      `Projection '${name}' writes ${readModel}, which its declaration does not give it`,
    );
  }
}

const hasCode = (declared: ConsumerDeclaration): declared is ReactionDeclaration =>
  typeof (declared as Partial<ReactionDeclaration>).create === 'function';

/**
 * A host's consumers in the order it declares them, their code checked against the
 * declaration: the names match, the kinds match, and a projection writes the read model
 * declared for it. A consumer declared with its code (a context's reaction) is built by its
 * `create`; the others (the system's own, such as an indexer) are given in `code`.
 */
export function declaredConsumers<Host extends StreamHostDeclaration>(
  host: Host,
  code: ConsumersCode<Host>,
): HostedConsumer[] {
  const given = code as Readonly<Record<string, HostedConsumer>>;
  return Object.entries(host.consumers).map(([name, declared]) => {
    const consumer = hasCode(declared) ? declared.create() : given[name]!;
    checkCode(name, declared, consumer);
    return consumer;
  });
}
