/** Success or a list of errors, for code that must report every problem at once (config parsing). */
export type Result<T, E = ConfigError[]> = { ok: true; value: T } | { ok: false; error: E }

/** Where in a config document a value sits: keys and array indices from the document root. */
export type ConfigPath = readonly (string | number)[]

/**
 * A problem a user can fix in a file. `path` locates the value inside its document; the loader
 * turns it into `file:line:col`. `message` says what was expected.
 */
export interface ConfigError {
  readonly path: ConfigPath
  readonly message: string
  /** The file the path belongs to, when it is not the document being parsed (a CSV tag list). */
  readonly file?: string
  /** 1-based line and column when the producer already knows them (CSV rows). */
  readonly line?: number
  readonly col?: number
  /** Characters into the text of the string at `path` (a derived tag's expression), for a message that points inside it. */
  readonly offset?: number
}

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value })
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error })
