import { inspect } from 'node:util'

const REDACTED = '[redacted]'

/**
 * A secret (PSK, password, passphrase, private key) that cannot leak by accident.
 *
 * String conversion, JSON and util.inspect all print "[redacted]"; only reveal() gives the value,
 * so every place that needs the plaintext is visible in the code.
 */
export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  /** The plaintext. Call only where it is written to its destination (a secrets file, an auth call). */
  reveal(): string {
    return this.#value
  }

  /** Length, for lint rules that need it without the value. */
  get length(): number {
    return this.#value.length
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [inspect.custom](): string {
    return REDACTED
  }
}

/** Type guard for Secret. */
export function isSecret(x: unknown): x is Secret {
  return x instanceof Secret
}
