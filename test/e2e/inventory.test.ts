import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.stop());

describe('the inventory context over HTTP', () => {
  it('adds a product and serves it from the catalogue projection', async () => {
    const productId = `sku-${Date.now()}`;
    const added = await t.api.post('/products', {
      body: { productId, name: 'Desk lamp', unitPrice: 4999 },
    });
    expect(added.status, added.text).toBe(201);
    expect(added.body).toEqual({ productId, version: 1 });
    expect(added.headers.get('location')).toBe(`/products/${productId}`);

    const entry = await t.eventually(`/products/${productId}`, (r) => r.status === 200);
    expect(entry.body).toMatchObject({ productId, name: 'Desk lamp', unitPrice: 4999, version: 1 });
    expect(entry.headers.get('etag')).toBe('"1"');

    const stocked = await t.api.post(`/products/${productId}/stock`, { body: { quantity: 7 } });
    expect(stocked.status, stocked.text).toBe(200);
    const stock = { onHand: 7, reserved: 0, available: 7 };
    expect(stocked.body).toEqual({ productId, version: 2, stock });
    const restocked = await t.eventually(`/products/${productId}`, (r) => r.body.version === 2);
    expect(restocked.body).toMatchObject({ stock, addedAt: entry.body.addedAt });
  });

  it('answers 409 to a product id already taken, and writes nothing', async () => {
    const productId = `sku-twice-${Date.now()}`;
    const body = { productId, name: 'Chair', unitPrice: 12000 };
    expect((await t.api.post('/products', { body })).status).toBe(201);
    const again = await t.api.post('/products', { body: { ...body, unitPrice: 1 } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'ProductAlreadyExists' } });
    const entry = await t.eventually(`/products/${productId}`, (r) => r.status === 200);
    expect(entry.body).toMatchObject({ unitPrice: 12000, version: 1 });
  });

  it('answers 400 naming the field to bad input, and 404 to an unknown product', async () => {
    const bad = await t.api.post('/products', {
      body: { productId: 'sku-bad', name: 'Rug', unitPrice: -5 },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('unitPrice');
    const missing = await t.api.get('/products/sku-none');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'ProductNotFound' } });
    const noStock = await t.api.post('/products/sku-none/stock', { body: { quantity: 0 } });
    expect(noStock.status).toBe(400);
    expect(noStock.body.error?.fields?.map((f) => f.field)).toEqual(['quantity']);
    const stockForNone = await t.api.post('/products/sku-none/stock', { body: { quantity: 1 } });
    expect(stockForNone.status).toBe(404);
    expect(stockForNone.body).toMatchObject({ error: { code: 'ProductNotFound' } });
  });
});
