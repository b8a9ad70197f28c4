import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { EventCatalogue } from '../../functions/eventsourcing';
import {
  InvalidDeclarationError,
  contextModule,
  declarationProblems,
  routeKeysOf,
  routesOf,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { integrationMappings, PUBLISHED_EVENT_TYPES } from '../../functions/integration/mapping';
import { domainEvents } from '../../functions/domain-events';
import * as system from '../../functions/system';
import { systemDeclaration } from '../../lib/declaration';
import { checkHandlers } from '../../functions/eventsourcing/declaration';
import { erasureEvents } from '../../functions/eventsourcing/personal';
import {
  commandTarget,
  processDeclaration,
  processEvents,
} from '../../functions/eventsourcing/process-manager';
import { orderFulfilment } from '../../functions/orders/fulfilment';
import { productDecider } from '../../functions/inventory/decider';
import { productEvents } from '../../functions/inventory/events';

const accountQueries = systemDeclaration.functions.accountQueries!;

/** The real declaration with the account queries function changed. */
const withAccountQueries = (changes: Partial<typeof accountQueries>): SystemDeclaration => ({
  ...systemDeclaration,
  functions: { ...systemDeclaration.functions, accountQueries: { ...accountQueries, ...changes } },
});

describe('the declared handlers', () => {
  it('exist, and each HTTP handler serves exactly the routes declared for its function', async () => {
    await expect(checkHandlers(systemDeclaration)).resolves.toBeUndefined();
  });

  it('refuses a route declared for a function whose handler does not serve it', async () => {
    const declaration = withAccountQueries({
      routes: [...(accountQueries.routes ?? []), 'GET /accounts/{accountId}/balance'],
    });
    await expect(checkHandlers(declaration)).rejects.toThrow(
      'function accountQueries declares route GET /accounts/{accountId}/balance, which its handler does not serve',
    );
  });

  it('refuses a handler serving a route its function does not declare', async () => {
    const declaration = withAccountQueries({
      routes: (accountQueries.routes ?? []).filter(
        (route) => routeKeysOf({ routes: [route] })[0] !== 'GET /owners/{ownerId}/accounts',
      ),
    });
    await expect(checkHandlers(declaration)).rejects.toThrow(
      'function accountQueries serves route GET /owners/{ownerId}/accounts, which it does not declare',
    );
  });

  it('refuses a declared handler export the module does not have', async () => {
    const declaration = withAccountQueries({ handler: 'handle' });
    await expect(checkHandlers(declaration)).rejects.toBeInstanceOf(InvalidDeclarationError);
    await expect(checkHandlers(declaration)).rejects.toThrow(
      "function accountQueries: functions/accounts/queries.ts exports no function named 'handle'",
    );
  });
});

describe('the system declaration', () => {
  it('is valid', () => {
    expect(declarationProblems(systemDeclaration)).toEqual([]);
  });

  it('takes each route from the one function declaring it', () => {
    expect(system.routes).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: '/events',
        function: 'eventFeed',
        authorization: 'iam',
      }),
    );
    expect(system.routes).toContainEqual(
      expect.objectContaining({
        method: 'POST',
        path: '/accounts/{accountId}/deposits',
        function: 'accountCommands',
      }),
    );
    expect(routesOf({ probe: { ...accountQueries, routes: ['ANY /{proxy+}'] } })).toEqual([
      { method: 'ANY', path: '/{proxy+}', function: 'probe' },
    ]);
  });

  it('hosts every projection of every context under the name its code gives it', () => {
    expect(Object.keys(system.streamHosts.projections.consumers)).toEqual(
      system.projections.map((projection) => projection.name),
    );
    for (const projection of system.projections) {
      expect(system.functions.projections.tables[projection.readModel as system.TableKey]).toBe(
        'readWrite',
      );
    }
  });

  it('publishes every event type of every publishing context', () => {
    const unpublished = system.contexts
      .filter((context) => (context.integration as unknown) === 'unpublished')
      .flatMap((context) => context.events.types);
    // The erasure ledger and processes' records are the framework's, not a context's: they are
    // never published.
    const contextTypes = domainEvents.types.filter(
      (type) => !erasureEvents.catalogue.has(type) && !processEvents.catalogue.has(type),
    );
    expect([...PUBLISHED_EVENT_TYPES, ...unpublished].sort()).toEqual([...contextTypes].sort());
    expect(Object.keys(integrationMappings).sort()).toEqual([...PUBLISHED_EVENT_TYPES].sort());
  });
});

describe('a process manager in the declaration', () => {
  const withProcess = (declaration: ReturnType<typeof processDeclaration>) => ({
    ...systemDeclaration,
    streamHosts: {
      ...systemDeclaration.streamHosts,
      reactions: {
        ...systemDeclaration.streamHosts.reactions!,
        consumers: { ...systemDeclaration.streamHosts.reactions!.consumers, audit: declaration },
      },
    },
  });

  it('passes when its declaration grants append on every table its commands go to', () => {
    expect(declarationProblems(systemDeclaration)).toEqual([]);
  });

  it('refuses a process whose commands target a table it was not granted', () => {
    const readOnly = processDeclaration(orderFulfilment, { tables: { events: 'read' } });
    expect(declarationProblems(withProcess(readOnly))).toEqual([
      'process audit sends commands to table events without append access to it',
    ]);
    const elsewhere = processDeclaration(
      {
        ...orderFulfilment,
        targets: [commandTarget(productEvents, productDecider, { table: 'stock' })],
      },
      { tables: { events: 'append' } },
    );
    expect(declarationProblems(withProcess(elsewhere))).toEqual([
      'process audit sends commands to table stock without append access to it',
    ]);
  });
});

describe('a context module', () => {
  const events = EventCatalogue.of(
    { ProductAdded: z.strictObject({ name: z.string() }), ProductRetired: z.strictObject({}) },
    {},
  );
  const module = contextModule<string>();
  const base = { events, tables: {}, functions: {}, projections: [], reactions: {} };

  it('either maps every one of its event types or says they are unpublished', () => {
    const published = module({
      ...base,
      integration: { ProductAdded: (event) => event.data.name, ProductRetired: () => 'retired' },
    });
    const unpublished = module({ ...base, integration: 'unpublished' });
    expect(Object.keys(published.integration)).toEqual(['ProductAdded', 'ProductRetired']);
    expect(unpublished.integration).toBe('unpublished');
    module({
      ...base,
      // @ts-expect-error an event type without a mapping fails the typecheck
      integration: { ProductAdded: (event) => event.data.name },
    });
  });
});
