import { contextModule, readModelTable } from '../eventsourcing/declaration';
import { commandFunction, queryFunction } from '../eventsourcing/http';
import type { IntegrationEvent } from '../integration/contract';
import { productEvents } from './events';
import { productCatalogueProjection } from './projections/catalogue';

/** Inventory: the product catalogue and its stock. Its events stay inside the system. */
export const inventoryModule = contextModule<IntegrationEvent>()({
  events: productEvents.catalogue,
  tables: {
    productCatalogue: readModelTable('Read model: each product with its name, price and stock.'),
  },
  functions: {
    productCommands: commandFunction(
      {
        description: 'Adds products to the catalogue and units to their stock.',
        entry: 'functions/inventory/commands.ts',
        routes: [
          {
            route: 'POST /products',
            example: { body: { productId: 'pen', name: 'Fountain pen', unitPrice: 2500 } },
          },
          {
            route: 'POST /products/{productId}/stock',
            example: { params: { productId: 'pen' }, body: { quantity: 100 } },
          },
        ],
      },
      { snapshots: false },
    ),
    productQueries: queryFunction({
      description: 'Products from the catalogue read model.',
      entry: 'functions/inventory/queries.ts',
      routes: [{ route: 'GET /products/{productId}', example: { params: { productId: 'pen' } } }],
      tables: { productCatalogue: 'read' },
    }),
  },
  projections: [productCatalogueProjection],
  reactions: {},
  integration: 'unpublished',
});
