import { randomBytes } from 'node:crypto';

/** A request S3 refuses: its error code, HTTP status and message, as S3 answers them. */
export class S3Refusal extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Further elements of the error body (`Condition`, `StringToSign`, …). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'S3Refusal';
  }
}

export const accessDenied = () => new S3Refusal('AccessDenied', 403, 'Access Denied');

export const incompleteBody = () =>
  new S3Refusal('IncompleteBody', 400, 'The request body terminated unexpectedly');

export const invalidRequest = (message: string) => new S3Refusal('InvalidRequest', 400, message);

export const notImplemented = (message: string) => new S3Refusal('NotImplemented', 501, message);

const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char]!,
  );

/** S3's XML error document: the SDK raises an exception named after its `Code`. */
export function errorDocument(refusal: S3Refusal, resource: string): string {
  const elements: [string, string][] = [
    ['Code', refusal.code],
    ['Message', refusal.message],
    ...Object.entries(refusal.details),
    ['Resource', resource],
    ['RequestId', randomBytes(8).toString('hex').toUpperCase()],
  ];
  const body = elements.map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${body}</Error>`;
}
