import { expect } from 'vitest';
import type { ApiClient, ApiResponse } from './api-client';

/**
 * Every command and read of an account whose stream holds a corrupt event: each must answer
 * 500 CorruptEvent naming the stream, the version and the field.
 */
export async function expectCorruptAnswers(
  api: ApiClient,
  accountId: string,
  corrupt: { readonly version: number; readonly field: string },
): Promise<void> {
  const answers: ApiResponse[] = [
    await api.post(`/accounts/${accountId}/deposits`, { body: { amount: 5 } }),
    await api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 1_000_000 } }),
    await api.post(`/accounts/${accountId}/close`),
    await api.get(`/accounts/${accountId}/state`),
    await api.get(`/accounts/${accountId}/events`),
  ];
  for (const answer of answers) {
    expect(answer.status, answer.text).toBe(500);
    expect(answer.body.error).toMatchObject({
      code: 'CorruptEvent',
      streamId: `account-${accountId}`,
      ...corrupt,
    });
  }
}
