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

/** Calls one bridge method; never throws. */
export async function call<K extends keyof TunnelwrightRequests>(name: K, ...args: Parameters<TunnelwrightRequests[K]>): Promise<Answer<K>> {
  if (!hasBridge(name)) return { ok: false, error: notAvailable(String(name)) } as Answer<K>
  try {
    const fn = window.tunnelwright[name] as unknown as (...a: unknown[]) => Promise<Answer<K>>
    return await fn(...args)
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
