import type { Projection, ReadModelWrite } from '../../eventsourcing';
import type { Stock } from '../decider';
import { productEvents, type RecordedProductEvent } from '../events';
import { catalogueKey, type CatalogueEntry } from '../read-models';

/** How an event changes the stock (`ProductAdded`, which starts the entry, leaves it as it is). */
function stockAfter(stock: Stock, event: RecordedProductEvent): Stock {
  switch (event.type) {
    case 'ProductAdded':
      return stock;
    case 'StockAdded':
      return { ...stock, onHand: stock.onHand + event.data.quantity };
    case 'StockReserved':
      return { ...stock, reserved: stock.reserved + event.data.quantity };
    case 'StockReleased':
      return { ...stock, reserved: stock.reserved - event.data.quantity };
  }
}

/** The product catalogue with each product's stock, for `GET /products/{productId}`. */
export const productCatalogueProjection: Projection<RecordedProductEvent> = {
  name: 'product-catalogue',
  description: 'Each product with its name, price and stock.',
  readModel: 'productCatalogue',
  handles: productEvents.types,
  async apply(event, context): Promise<ReadModelWrite[]> {
    const productId = productEvents.idOf(event.streamId);
    const key = catalogueKey(productId);
    if (event.type === 'ProductAdded') {
      const entry: CatalogueEntry = {
        productId,
        name: event.data.name,
        unitPrice: event.data.unitPrice,
        stock: { onHand: 0, reserved: 0, available: 0 },
        version: event.version,
        addedAt: event.recordedAt,
      };
      return [{ put: { ...key, ...entry } }];
    }
    const current = (await context.get(key)) as CatalogueEntry | undefined;
    if (!current) throw new Error(`Product ${productId} has no entry before ${event.type}`);
    const { onHand, reserved } = stockAfter(current.stock, event);
    const entry: CatalogueEntry = {
      ...current,
      stock: { onHand, reserved, available: onHand - reserved },
      version: event.version,
    };
    return [{ put: { ...key, ...entry } }];
  },
};
