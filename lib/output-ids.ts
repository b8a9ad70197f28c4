/**
 * CloudFormation output id of a table's physical name (`globalLog` → `GlobalLogTableName`): the
 * stack writes it, the operator CLI's `--stack` reads it back.
 */
export const tableOutputId = (key: string) =>
  `${key.charAt(0).toUpperCase()}${key.slice(1).replace(/[^A-Za-z0-9]/g, '')}TableName`;
