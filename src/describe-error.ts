/**
 * A short reason an operator can act on, for errors that reach the console at start-up or from a script:
 * "fetch failed" alone says nothing, so the code found a few causes down (fetch → undici → the socket) is
 * added. Only messages and codes: an error object may carry the request, and with it a token.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let detail: string | undefined;
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    detail = 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
    cause = cause.cause;
  }
  return detail ? `${error.message} (${detail})` : error.message;
}
