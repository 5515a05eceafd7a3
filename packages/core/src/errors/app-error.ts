import type { ErrorCode } from '@quarry/protocol';

/** Options shared by every catalogued error. */
export interface ErrorSpec {
  status: number;
  message: string | ((details: Record<string, unknown>) => string);
  /** True for 5xx and for errors a client may retry unchanged later. */
  retryable?: boolean;
}

/**
 * The one error class of Quarry. Thrown near the source (with `cause` when wrapping), mapped once
 * at each API edge into that API's envelope.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, spec: ErrorSpec, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    const message = typeof spec.message === 'function' ? spec.message(details ?? {}) : spec.message;
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = spec.status;
    this.details = details;
    this.retryable = spec.retryable ?? false;
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
