import * as z from 'zod';
import { ReadModelReader, createDynamoDbClient } from '../eventsourcing';
import { httpHandler, route } from '../eventsourcing/http';
import { HttpError } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { withoutKeys } from '../eventsourcing/http';
import { etag, ok } from '../eventsourcing/http';
import { resourceId } from '../eventsourcing/http';
import { productCatalogueProjection } from './projections/catalogue';
import { catalogueKey } from './read-models';

const catalogue = once(
  () => new ReadModelReader(productCatalogueProjection, { client: createDynamoDbClient() }),
);

/** Product queries over the catalogue read model. */
export const handler = httpHandler({
  // Open to every authenticated caller: the catalogue is what customers order from.
  'GET /products/{productId}': route({
    params: z.strictObject({ productId: resourceId }),
    async handle({ params }) {
      const entry = await catalogue().get(catalogueKey(params.productId));
      if (!entry) throw new HttpError(404, 'ProductNotFound', `No product ${params.productId}`);
      return ok(withoutKeys(entry), etag(Number(entry.version)));
    },
  }),
});
