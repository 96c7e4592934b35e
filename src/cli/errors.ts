/** A mistake in how a command was called (a flag value, a missing argument): printed as one line, exit 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
