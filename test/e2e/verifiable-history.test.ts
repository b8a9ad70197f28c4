import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../local/es/context';
import type { HistoryTarget } from '../../local/es/history-target';
import { waitFor } from '../../local/wait-for';
import { stackHistory, startTestApi, type TestApi } from '../support/local-api';
import { runOperator } from '../support/operator';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

let t: TestApi;
let accountId: string;
let history: HistoryTarget;
let publicKeyFile: string;

const es = (...args: string[]) =>
  runOperator(args, (io) => systemContext(t.client, t.stack.tableNames, io, { history }));

/** `npm run verify-proof -- <proof> <key>`, with its exit code and output. */
async function verifyProofOffline(proof: unknown): Promise<{ code: number; output: string }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'proof-')), 'proof.json');
  writeFileSync(file, typeof proof === 'string' ? proof : JSON.stringify(proof));
  try {
    const { stdout } = await run(
      'npm',
      ['run', '--silent', 'verify-proof', '--', file, publicKeyFile],
      {
        cwd: root,
      },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
}

beforeAll(async () => {
  t = await startTestApi();
  const { target, signer } = await stackHistory(t.stack);
  history = target;
  publicKeyFile = path.join(mkdtempSync(path.join(tmpdir(), 'public-key-')), 'public-key.pem');
  writeFileSync(publicKeyFile, await signer.publicKeyPem());
  accountId = await t.openAccount('auditor-subject', 5000);
  await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 1200 } });
  await waitFor(
    async () => {
      const { lines } = await es('log', '--json');
      return (JSON.parse(lines.join('\n')) as { lastPosition: number }).lastPosition >= 3
        ? true
        : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, description: 'the global log to hold the account' },
  );
});
afterAll(async () => {
  await t?.stop();
});

describe('verifiable history on the local stack', () => {
  it('seals the log on demand, and verifies it clean', async () => {
    const sealed = await es('checkpoint');
    expect(sealed.code).toBe(0);
    expect(sealed.output).toMatch(/^Checkpoint 1: positions 1 to 3, root [0-9a-f]{64}$/);
    expect((await es('checkpoint')).output).toBe('Nothing new to seal.');
    const verified = await es('verify');
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toContain('Verified checkpoints 1 to 1, 3 log positions');
  });

  it('answers a proof that verifies offline with the public key alone, and fails once changed', async () => {
    const streamId = `account-${accountId}`;
    const answer = await t.api.get(`/streams/${streamId}/events/2/proof`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const good = await verifyProofOffline(answer.body);
    expect(good).toEqual({
      code: 0,
      output: expect.stringMatching(
        new RegExp(`^Proof verified: ${streamId} v2 at position 2, checkpoint 1 `),
      ) as string,
    });
    const text = JSON.stringify(answer.body);
    const changed = text.replace('5000', '9000');
    expect(changed).not.toBe(text);
    expect((await verifyProofOffline(changed)).code).toBe(1);
  });

  it('refuses proofs to non-operators, of unknown events and of events not sealed yet', async () => {
    const streamId = `account-${accountId}`;
    const forbidden = await t.api.get(`/streams/${streamId}/events/1/proof`, {
      headers: { 'x-local-principal': 'mallory' },
    });
    expect(forbidden.status).toBe(403);
    expect((await t.api.get(`/streams/${streamId}/events/99/proof`)).status).toBe(404);
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 1 } });
    const unsealed = await t.api.get(`/streams/${streamId}/events/4/proof`);
    expect(unsealed.status).toBe(409);
    expect(unsealed.body).toMatchObject({ error: { code: 'EventNotSealed' } });
  });

  it('names an event edited in place with a raw PutItem, and exits non-zero', async () => {
    const key = { streamId: { S: `account-${accountId}` }, version: { N: '2' } };
    const table = t.stack.tableNames.events;
    const { Item } = await t.client.send(new GetItemCommand({ TableName: table, Key: key }));
    await t.client.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...Item!, data: { S: Item!.data!.S!.replace('5000', '500000') } },
      }),
    );
    const verified = await es('verify', '--full');
    expect(verified.code).toBe(2);
    expect(verified.output).toMatch(
      new RegExp(`hash-mismatch \\(stream account-${accountId}, version 2\\)`),
    );
    expect(verified.output).toMatch(
      new RegExp(
        `event-changed \\(checkpoint 1, position 2, stream account-${accountId}, version 2\\)`,
      ),
    );
  });
});
