/** The server answered 401: the credential is unknown, revoked or missing. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** 409 SUBTASK_NOT_ACTIVE: the server has moved on (cancelled, timed out, newer attempt); stop quietly. */
export class SubtaskInactiveError extends Error {
  override readonly name = 'SubtaskInactiveError';
}

/** Any other refusal (4xx, or 5xx after the retries ran out), with the envelope's code when there is one. */
export class ServerRejectedError extends Error {
  override readonly name = 'ServerRejectedError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`server answered ${status}${code ? ` ${code}` : ''}`);
  }
}
