import type { BucketAccess, TableAccess } from '../../functions/eventsourcing/declaration';

/** The exact DynamoDB actions each access level must grant, written out independently. */
export const expectedActions: Record<TableAccess, string[]> = {
  read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
  append: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
  appendAndScan: [
    'dynamodb:ConditionCheckItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
  ],
  readWriteAndScan: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
  ],
  archive: [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
  ],
};

/** The exact S3 actions each bucket access level must grant on the bucket's objects. */
export const expectedBucketActions: Record<BucketAccess, string[]> = {
  read: ['s3:GetObject'],
  writeOnce: ['s3:GetObject', 's3:PutObject'],
  readWrite: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
};
