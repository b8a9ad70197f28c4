/** The API's error body. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly fields?: readonly {
    readonly in: string;
    readonly field: string;
    readonly message: string;
  }[];
  readonly details?: Record<string, unknown>;
  readonly currentVersion?: number;
}

/** A JSON response body as tests read it: any fields, and `error` when the request failed. */
export type ApiBody = Record<string, unknown> & { readonly error?: ApiError };
