import { describe, expect, it } from 'vitest';
import { operationOf, writeRefusal, type WriteContext } from '../../local/s3/write-rules';

const operation = (method: string, path: string) =>
  operationOf(method, new URL(path, 'http://127.0.0.1'));

/** The code a write would be refused with, or `allowed`; `exists` says whether its object does. */
async function outcome(
  method: string,
  path: string,
  context: Partial<Omit<WriteContext, 'operation' | 'exists'>> & { exists?: boolean },
): Promise<string> {
  const refusal = await writeRefusal({
    operation: operation(method, path),
    locked: context.locked ?? false,
    ifNoneMatch: context.ifNoneMatch,
    exists: () => Promise.resolve(context.exists ?? false),
  });
  return refusal ? `${refusal.status} ${refusal.code}` : 'allowed';
}

describe('S3 operations of path-style requests', () => {
  it.each([
    [
      'PUT',
      '/cp/2026/01/seal.json?x-id=PutObject',
      { kind: 'create', bucket: 'cp', key: '2026/01/seal.json' },
    ],
    ['PUT', '/cp/a%20b', { kind: 'create', bucket: 'cp', key: 'a b' }],
    ['POST', '/cp/big?uploads', { kind: 'multipartStep', bucket: 'cp', key: 'big' }],
    ['PUT', '/cp/big?uploadId=1&partNumber=1', { kind: 'multipartStep', bucket: 'cp', key: 'big' }],
    ['POST', '/cp/big?uploadId=1', { kind: 'create', bucket: 'cp', key: 'big' }],
    [
      'DELETE',
      '/cp/seal.json?x-id=DeleteObject',
      { kind: 'delete', bucket: 'cp', key: 'seal.json' },
    ],
    ['POST', '/cp?delete', { kind: 'delete', bucket: 'cp', key: '' }],
    ['PUT', '/cp/seal.json?retention', { kind: 'lockSetting', bucket: 'cp', key: 'seal.json' }],
    ['PUT', '/cp', { kind: 'createBucket', bucket: 'cp' }],
    ['PUT', '/cp?object-lock', { kind: 'putObjectLock', bucket: 'cp' }],
    ['GET', '/cp?object-lock', { kind: 'getObjectLock', bucket: 'cp' }],
    ['GET', '/cp/seal.json', { kind: 'other' }],
    ['PUT', '/cp/seal.json?tagging', { kind: 'other' }],
    ['DELETE', '/cp/big?uploadId=1', { kind: 'other' }],
  ])('%s %s', (method, path, expected) => {
    expect(operation(method, path)).toEqual(expected);
  });
});

describe('write rules', () => {
  it('make If-None-Match: * a conditional create on any bucket', async () => {
    expect(await outcome('PUT', '/b/k', { ifNoneMatch: '*', exists: true })).toBe(
      '412 PreconditionFailed',
    );
    expect(await outcome('PUT', '/b/k', { ifNoneMatch: '*', exists: false })).toBe('allowed');
    expect(await outcome('POST', '/b/k?uploadId=1', { ifNoneMatch: '*', exists: true })).toBe(
      '412 PreconditionFailed',
    );
    expect(await outcome('PUT', '/b/k', { exists: true })).toBe('allowed');
    expect(await outcome('PUT', '/b/k', { ifNoneMatch: '"etag"' })).toBe('501 NotImplemented');
  });

  it('let a write-once bucket take conditional creates only, and no delete', async () => {
    const locked = { locked: true } as const;
    expect(await outcome('PUT', '/b/k', { ...locked, ifNoneMatch: '*' })).toBe('allowed');
    expect(await outcome('PUT', '/b/k', { ...locked, ifNoneMatch: '*', exists: true })).toBe(
      '412 PreconditionFailed',
    );
    for (const [method, path] of [
      ['PUT', '/b/k'],
      ['POST', '/b/k?uploads'],
      ['PUT', '/b/k?uploadId=1&partNumber=1'],
      ['DELETE', '/b/k'],
      ['POST', '/b?delete'],
      ['PUT', '/b/k?legal-hold'],
      ['PUT', '/b?object-lock'],
    ] as const) {
      expect(await outcome(method, path, locked), `${method} ${path}`).toBe('403 AccessDenied');
    }
    expect(await outcome('DELETE', '/b/k', {})).toBe('allowed');
  });
});
