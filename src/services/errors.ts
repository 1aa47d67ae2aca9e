/**
 * The one error type for things a user or operator can act on. Its message is safe to show; the
 * turn error handler shows it with a correlation id, and anything else becomes a generic apology.
 */
export type AppErrorCode =
  | 'import_invalid'
  | 'unknown_user'
  | 'forbidden'
  | 'not_found'
  | 'invalid_input'
  | 'conflict'
  | 'rule';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}
