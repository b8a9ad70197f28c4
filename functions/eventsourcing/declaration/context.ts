import { retentionProblems, type RetentionRule } from '../archive/retention.js';
import type { EventCatalogue } from '../event-catalogue.js';
import { InvalidDeclarationError } from './errors.js';
import type { Projection } from '../projection.js';
import type { RecordedEvent } from '../types.js';
import type { FunctionDeclaration } from './functions.js';
import {
  projectionConsumer,
  type ConsumerDeclaration,
  type ReactionDeclaration,
} from './stream-hosts.js';
import type { TableDeclaration } from './tables.js';

/**
 * How each event type of a context becomes a public integration event: one entry per type, so
 * a new event type without a decision fails the typecheck.
 */
export type IntegrationMapping<Event extends RecordedEvent, Published> = {
  readonly [Type in Event['type']]: (event: Extract<Event, { type: Type }>) => Published;
};

/**
 * One bounded context's slice of the system, declared in its own folder: its events, its
 * tables, its functions with their routes, the projections and reactions it hosts on the events
 * stream with their code, and what it publishes. A system lists its contexts and combines them.
 */
export interface ContextModule<
  Event extends RecordedEvent = RecordedEvent,
  Published = unknown,
  Tables extends Readonly<Record<string, TableDeclaration>> = Readonly<
    Record<string, TableDeclaration>
  >,
  Functions extends Readonly<Record<string, FunctionDeclaration>> = Readonly<
    Record<string, FunctionDeclaration>
  >,
  Reactions extends Readonly<Record<string, ReactionDeclaration>> = Readonly<
    Record<string, ReactionDeclaration>
  >,
  Integration extends IntegrationMapping<Event, Published> | 'unpublished' =
    IntegrationMapping<Event, Published> | 'unpublished',
> {
  /** The context's event types with their schemas and upcasters. */
  readonly events: EventCatalogue<Event>;
  /** Its read-model (and other) tables, by logical name. */
  readonly tables: Tables;
  /** Its Lambda functions, each HTTP one with the routes it serves. */
  readonly functions: Functions;
  /**
   * Its projections: hosted by the system's projection reader, each declared by its own code
   * (name, read model, description).
   */
  readonly projections: readonly Projection<Event>[];
  /**
   * Its reactions and process managers, by consumer name, each with its code (`create`): the
   * system's reaction reader hosts them all.
   */
  readonly reactions: Reactions;
  /**
   * The integration event of each of its event types, or `'unpublished'` when its events stay
   * inside the system.
   */
  readonly integration: Integration;
  /**
   * When its streams move to the archive (see `RetentionRule`); streams no rule covers stay in
   * the events table unless tombstoned.
   */
  readonly retention?: readonly RetentionRule<Event['type']>[];
}

/**
 * Declares a context's module, checking its integration mapping against its events.
 * `Published` is the system's integration-event type: `contextModule<MyIntegrationEvent>()({...})`.
 */
export const contextModule =
  <Published>() =>
  <
    Event extends RecordedEvent,
    const Tables extends Readonly<Record<string, TableDeclaration>>,
    const Functions extends Readonly<Record<string, FunctionDeclaration>>,
    const Reactions extends Readonly<Record<string, ReactionDeclaration>>,
    const Integration extends IntegrationMapping<Event, Published> | 'unpublished',
  >(
    module: ContextModule<Event, Published, Tables, Functions, Reactions, Integration>,
  ): ContextModule<Event, Published, Tables, Functions, Reactions, Integration> =>
    module;

/* eslint-disable @typescript-eslint/no-explicit-any -- each context has its own event types */
/** Any context's module, whatever its events: what a system combines. */
export interface AnyContextModule {
  readonly events: EventCatalogue<any>;
  readonly tables: Readonly<Record<string, TableDeclaration>>;
  readonly functions: Readonly<Record<string, FunctionDeclaration>>;
  readonly projections: readonly Projection<any>[];
  readonly reactions: Readonly<Record<string, ReactionDeclaration>>;
  readonly integration: Readonly<Record<string, (event: any) => unknown>> | 'unpublished';
  readonly retention?: readonly RetentionRule[];
}
/* eslint-enable @typescript-eslint/no-explicit-any */

type UnionToIntersection<Union> = (Union extends unknown ? (value: Union) => void : never) extends (
  value: infer Intersection,
) => void
  ? Intersection
  : never;

/** The events of any of the contexts. */
export type EventOfContexts<Contexts extends readonly AnyContextModule[]> =
  Contexts[number]['events'] extends EventCatalogue<infer Event> ? Event : never;

/** The entries of one part of every context, merged by key: their union, typed as such. */
function merged<
  const Contexts extends readonly AnyContextModule[],
  Part extends 'tables' | 'functions' | 'reactions',
>(contexts: Contexts, part: Part): UnionToIntersection<Contexts[number][Part]> {
  return Object.assign({}, ...contexts.map((context) => context[part])) as UnionToIntersection<
    Contexts[number][Part]
  >;
}

/** Every table of the contexts, by logical name. */
export const tablesOf = <const Contexts extends readonly AnyContextModule[]>(contexts: Contexts) =>
  merged(contexts, 'tables');

/** Every function of the contexts, by key. */
export const functionsOf = <const Contexts extends readonly AnyContextModule[]>(
  contexts: Contexts,
) => merged(contexts, 'functions');

/**
 * Every context's retention rules, checked against its own event types: the archiver's rules.
 * Throws `InvalidDeclarationError` naming each rule that could never apply.
 */
export function retentionOf(contexts: readonly AnyContextModule[]): RetentionRule[] {
  const rules = contexts.flatMap((context) => context.retention ?? []);
  const problems = contexts.flatMap((context) =>
    retentionProblems(context.retention ?? [], new Set(context.events.types)),
  );
  const prefixes = rules.map((rule) => rule.streamPrefix);
  const shared = prefixes.filter((prefix, index) => prefixes.indexOf(prefix) !== index);
  problems.push(...shared.map((prefix) => `retention of '${prefix}': declared by two contexts`));
  if (problems.length > 0) throw new InvalidDeclarationError(problems);
  return rules;
}

/** Every reaction the contexts declare, with its code, by consumer name. */
export const reactionsOf = <const Contexts extends readonly AnyContextModule[]>(
  contexts: Contexts,
) => merged(contexts, 'reactions');

/** The consumer declarations of projections, derived from their code: names written once. */
export function projectionConsumers(
  projections: readonly Pick<Projection, 'name' | 'description' | 'readModel'>[],
): Record<string, ConsumerDeclaration> {
  return Object.fromEntries(
    projections.map((projection) => [
      projection.name,
      projectionConsumer(
        projection.description ?? `Keeps ${projection.readModel}.`,
        projection.readModel,
      ),
    ]),
  );
}

/** Every projection of the contexts: one reader hosts them all. */
export function projectionsOf<const Contexts extends readonly AnyContextModule[]>(
  contexts: Contexts,
): Projection<EventOfContexts<Contexts>>[] {
  return contexts.flatMap((context) => context.projections) as Projection<
    EventOfContexts<Contexts>
  >[];
}

/** The event types the contexts publish: every type of each context with a mapping. */
export type PublishedTypeOf<Contexts extends readonly AnyContextModule[]> =
  Contexts[number] extends infer Context
    ? Context extends { readonly integration: infer Mapping }
      ? Mapping extends 'unpublished'
        ? never
        : keyof Mapping & string
      : never
    : never;

/** The integration mappings of every context that publishes, merged by event type. */
export function integrationMappingsOf<const Contexts extends readonly AnyContextModule[]>(
  contexts: Contexts,
): Readonly<Record<PublishedTypeOf<Contexts>, (event: EventOfContexts<Contexts>) => unknown>> {
  const mappings = contexts.map((context: AnyContextModule) =>
    context.integration === 'unpublished' ? {} : context.integration,
  );
  return Object.assign({}, ...mappings) as Readonly<
    Record<PublishedTypeOf<Contexts>, (event: EventOfContexts<Contexts>) => unknown>
  >;
}
