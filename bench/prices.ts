/**
 * DynamoDB on-demand prices in US East (N. Virginia), in dollars per million request units, as
 * published by AWS with the on-demand price cut effective 1 November 2024. Standard table class;
 * storage, streams and backups are priced apart and left out.
 */
export const ON_DEMAND_PRICES = {
  region: 'us-east-1',
  effective: '2024-11-01',
  readRequestUnit: 0.125,
  writeRequestUnit: 0.625,
} as const;

/** Dollars per million operations that each consume `read` and `write` request units. */
export const dollarsPerMillion = (read: number, write: number) =>
  read * ON_DEMAND_PRICES.readRequestUnit + write * ON_DEMAND_PRICES.writeRequestUnit;
