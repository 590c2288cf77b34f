// The renderer's door to window.tunnelwright: typed calls that always answer a Result.
//
// A method the running build does not have yet answers 'not-available' instead of throwing, and a
// rejected IPC call becomes an AppError: the UI then shows what happened, why, and what to do.
import type { AppError, EventPayloads, JobId, Result, TunnelwrightRequests, Unsubscribe } from '../../../preload/api'

type Answer<K extends keyof TunnelwrightRequests> = Awaited<ReturnType<TunnelwrightRequests[K]>>

/** True when the bridge offers `name` (the contract may be ahead of the running build). */
export function hasBridge(name: keyof TunnelwrightRequests | keyof EventPayloads): boolean {
  const api = (window as { tunnelwright?: object }).tunnelwright as Record<string, unknown> | undefined
  return typeof api?.[name] === 'function'
}

/** The error for a capability this build does not have yet. */
export function notAvailable(what: string): AppError {
  return { code: 'not-available', message: `${what} is not available in this build yet.`, cause: 'The app shell does not implement this function yet.', fix: 'Use the CLI (tunnelwright --help) for this step, or update the app.' }
}

/**
 * An error as the screen may show it. The IPC guard's refusals name the channel and the argument paths
 * ("Refused details:lint-details: malformed arguments (0.draft…)"), words for a developer, not for the person
 * at the screen: those are replaced by what happened and what to do.
 */
export function toShownError(e: AppError): AppError {
  if (e.code === 'ipc-args') return { code: e.code, message: 'The app could not use some of the values on this screen.', fix: 'Check the fields marked on this screen and try again; if it keeps happening, export diagnostics from the Status step.' }
  if (e.code === 'ipc-sender') return { code: e.code, message: 'The request did not come from the app\'s own window, so it was refused.', fix: 'Restart Tunnelwright.' }
  return e
}

/** Calls one bridge method; never throws. */
export async function call<K extends keyof TunnelwrightRequests>(name: K, ...args: Parameters<TunnelwrightRequests[K]>): Promise<Answer<K>> {
  if (!hasBridge(name)) return { ok: false, error: notAvailable(String(name)) } as Answer<K>
  try {
    const fn = window.tunnelwright[name] as unknown as (...a: unknown[]) => Promise<Answer<K>>
    const r = await fn(...args)
    return (r.ok ? r : { ok: false, error: toShownError(r.error) }) as Answer<K>
  } catch (err) {
    return { ok: false, error: { code: 'internal', message: 'The app did not answer.', cause: err instanceof Error ? err.message : String(err), fix: 'Try again; if it keeps failing, restart the app and export diagnostics.' } } as Answer<K>
  }
}

/** Subscribes to a pushed event; a no-op when the build does not push it. */
export function subscribe<K extends keyof EventPayloads>(name: K, cb: (payload: EventPayloads[K]) => void): Unsubscribe {
  if (!hasBridge(name)) return () => undefined
  const fn = window.tunnelwright[name] as unknown as (c: (payload: EventPayloads[K]) => void) => Unsubscribe
  return fn(cb)
}

/** A fresh job id for a cancellable long call. */
export function newJobId(): JobId {
  return crypto.randomUUID() as JobId
}

/** The value of a Result, or undefined. */
export function valueOf<T>(r: Result<T>): T | undefined {
  return r.ok ? r.value : undefined
}
