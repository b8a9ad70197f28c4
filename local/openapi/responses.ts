/** What every error answer of the API looks like. */
export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['ValidationFailed'] },
        message: { type: 'string' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              in: { type: 'string', enum: ['path', 'query', 'body', 'header'] },
              field: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
        details: { type: 'object' },
      },
    },
  },
} as const;

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const COMMON_ERRORS = {
  '400': error('Invalid input: the body names each field (ValidationFailed)'),
  '403': error('The caller may not act on or read this resource (Forbidden)'),
  '404': error('No such resource'),
  '500': error('The service failed, or a stored event does not fit its schema (CorruptEvent)'),
};

const COMMAND_ERRORS = {
  '409': error('Another writer changed the stream at the same moment (ConcurrencyConflict)'),
  '412': error('If-Match named an older version (PreconditionFailed)'),
  '413': error('The body is too large'),
  '415': error('The body is not JSON'),
  '422': error('A business rule refused the command; nothing was written'),
};

export const errorResponses = (method: string) =>
  method === 'POST' ? { ...COMMON_ERRORS, ...COMMAND_ERRORS } : COMMON_ERRORS;

export const successResponse = (method: string) => ({
  [method === 'POST' ? '2XX' : '200']: {
    description:
      method === 'POST'
        ? 'Done (201 created, 202 accepted, 200): the new version is also in the ETag header'
        : 'The resource',
    content: { 'application/json': { schema: { type: 'object' } } },
  },
});

/** Headers every command takes. */
export const headerParameters = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Retry with the same key: the command takes effect at most once',
    schema: { type: 'string', maxLength: 255 },
  },
  {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The ETag of an earlier answer: run only if the stream is still at that version',
    schema: { type: 'string', examples: ['"3"'] },
  },
];
