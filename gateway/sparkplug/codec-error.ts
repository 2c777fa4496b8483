/**
 * Why bytes could not be read as a Sparkplug B payload, or why a Payload could not be written
 * as one. The message names the metric (and member or property) and what was expected.
 */
export class PayloadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PayloadError'
  }
}

/** A PayloadError saying `context: <reason of error>`, for the caller to throw. */
export function withContext(context: string, error: unknown): PayloadError {
  if (error instanceof PayloadError) return new PayloadError(`${context}: ${error.message}`, { cause: error.cause })
  const reason = error instanceof Error ? error.message : String(error)
  return new PayloadError(`${context}: ${reason}`, { cause: error })
}
