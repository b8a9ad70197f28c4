import type { ReadModelKey } from '../eventsourcing';
import type { Stock } from './decider';

/** `GET /products/{productId}`: the product as the catalogue projection keeps it. */
export type CatalogueEntry = {
  readonly productId: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly stock: Stock;
  /** The product stream version this entry reflects. */
  readonly version: number;
  readonly addedAt: string;
};

export const catalogueKey = (productId: string): ReadModelKey => ({
  pk: `product#${productId}`,
  sk: 'entry',
});
