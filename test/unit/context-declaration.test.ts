import { describe, expect, it } from 'vitest';
import type { Reaction } from '../../functions/eventsourcing';
import {
  InvalidDeclarationError,
  checkContextFolders,
  contextFolderProblems,
  declarationProblems,
  readModelTable,
  type StreamHostDeclaration,
} from '../../functions/eventsourcing/declaration';
import { declaredConsumers, type BatchConsumer } from '../../functions/eventsourcing/hosts';
import { handler as reactionsHost } from '../../functions/hosts/reactions';
import * as system from '../../functions/system';
import { systemDeclaration } from '../../lib/declaration';
import { stockModule } from '../fixtures/context-folders/stock/module';

const FIXTURES = 'test/fixtures/context-folders';

const reaction = (name: string): Reaction => ({
  name,
  handles: ['MoneyDeposited'],
  react: () => Promise.resolve(),
});

/** A reactions host declaring `consumers`, as a system declares its reader. */
const hostOf = <Consumers extends StreamHostDeclaration['consumers']>(consumers: Consumers) => ({
  ...system.streamHosts.reactions,
  consumers,
});

describe('the reactions host', () => {
  it("hosts every context's reactions, built by their own code, and the system's own", () => {
    expect(reactionsHost.consumers.map((consumer) => consumer.name)).toEqual(
      Object.keys(system.streamHosts.reactions.consumers),
    );
    const transferProcess = reactionsHost.consumers.find(
      (consumer) => consumer.name === 'transfer-process',
    );
    expect(transferProcess).toMatchObject({ handles: ['TransferRequested', 'TransferDebited'] });
  });

  it('builds a declared reaction with its create, and takes the code of the others as given', () => {
    const own = reaction('audit');
    const host = hostOf({
      loyalty: {
        description: 'Points',
        kind: 'reaction',
        tables: {},
        create: () => reaction('loyalty'),
      },
      audit: { description: 'Audit', kind: 'reaction', tables: {} },
    });
    const consumers = declaredConsumers(host, { audit: own });
    expect(consumers.map((consumer) => consumer.name)).toEqual(['loyalty', 'audit']);
    expect(consumers[1]).toBe(own);
    // @ts-expect-error a consumer declared with its code takes none from the host
    declaredConsumers(host, { audit: own, loyalty: reaction('loyalty') });
  });

  it('refuses code named otherwise than its declaration', () => {
    const host = hostOf({
      loyalty: {
        description: 'Points',
        kind: 'reaction',
        tables: {},
        create: () => reaction('points'),
      },
    });
    expect(() => declaredConsumers(host, {})).toThrow(
      "Consumer 'loyalty' is declared, but its code is named 'points'",
    );
  });

  it('refuses code of another kind than declared', () => {
    const host = hostOf({
      indexer: {
        description: 'Indexes',
        kind: 'batch',
        tables: {},
        create: () => reaction('indexer') as unknown as BatchConsumer,
      },
    });
    expect(() => declaredConsumers(host, {})).toThrow(
      "Consumer 'indexer' is declared a batch; its code is a reaction",
    );
  });
});

describe('the read-model check', () => {
  const accountQueries = systemDeclaration.functions.accountQueries!;

  it('refuses a function reading a read model that no stream consumer writes', () => {
    const problems = declarationProblems({
      ...systemDeclaration,
      tables: { ...systemDeclaration.tables, loyaltyPoints: readModelTable('Points.') },
      functions: {
        ...systemDeclaration.functions,
        accountQueries: {
          ...accountQueries,
          tables: { ...accountQueries.tables, loyaltyPoints: 'read' },
        },
      },
    });
    expect(problems).toEqual([
      "function accountQueries reads read model loyaltyPoints, which no stream consumer writes (readWrite): declare the projection that keeps it in its context's module",
    ]);
  });

  it('accepts every read model the system reads: a projection keeps each', () => {
    const read = Object.values(system.functions).flatMap((fn) =>
      Object.entries(fn.tables).filter(
        ([table, access]) =>
          access === 'read' && (systemDeclaration.tables[table]?.readModel ?? false),
      ),
    );
    expect(read.length).toBeGreaterThan(0);
    expect(declarationProblems(systemDeclaration)).toEqual([]);
  });
});

describe('the context folders', () => {
  it('export no projection or reaction that their module leaves out', async () => {
    await expect(contextFolderProblems(system.contexts, 'functions')).resolves.toEqual([]);
  });

  it('refuse what a context exports and its module does not list, and a module the system does not', async () => {
    expect(await contextFolderProblems([stockModule], FIXTURES)).toEqual([
      `${FIXTURES}/orphan/module.ts declares orphanModule, which is not among the system's contexts`,
      `${FIXTURES}/stock/projections.ts exports projection stock-history, which stockModule does not list in its projections: no host would run it`,
      `${FIXTURES}/stock/reactions.ts exports reaction reorder, which stockModule does not declare in its reactions: no host would run it`,
      `${FIXTURES}/stock/reactions.ts exports reaction stock-audit, which stockModule does not declare in its reactions: no host would run it`,
    ]);
    await expect(checkContextFolders([stockModule], FIXTURES)).rejects.toBeInstanceOf(
      InvalidDeclarationError,
    );
  });
});
