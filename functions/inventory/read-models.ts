import type { ReadModelKey } from '../eventsourcing';

/** `GET /products/{productId}`: the product as the catalogue projection keeps it. */
export type CatalogueEntry = {
  readonly productId: string;
  readonly name: string;
  readonly unitPrice: number;
  /** The product stream version this entry reflects. */
  readonly version: number;
  readonly addedAt: string;
};

export const catalogueKey = (productId: string): ReadModelKey => ({
  pk: `product#${productId}`,
  sk: 'entry',
});
