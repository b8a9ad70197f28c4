import type { Projection, ReadModelWrite } from '../../eventsourcing';
import { productEvents, type RecordedProductEvent } from '../events';
import { catalogueKey, type CatalogueEntry } from '../read-models';

/** The product catalogue, for `GET /products/{productId}`. */
export const productCatalogueProjection: Projection<RecordedProductEvent> = {
  name: 'product-catalogue',
  description: 'Each product with its name and price.',
  readModel: 'productCatalogue',
  handles: productEvents.types,
  apply(event): Promise<ReadModelWrite[]> {
    const productId = productEvents.idOf(event.streamId);
    const entry: CatalogueEntry = {
      productId,
      name: event.data.name,
      unitPrice: event.data.unitPrice,
      version: event.version,
      addedAt: event.recordedAt,
    };
    return Promise.resolve([{ put: { ...catalogueKey(productId), ...entry } }]);
  },
};
