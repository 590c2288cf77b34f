// Long jobs (connect, detect, check, plan, apply, rollback): cancellation by id with an AbortController,
// and progress pushed as events.
import type { JobProgress } from '../../../preload/api'
import { UserError } from '../../core'

/** What a running job gets: its abort signal and a way to report progress. */
export interface JobContext {
  readonly signal: AbortSignal
  progress(step: JobProgress['step'], detail?: string): void
}

/** A progress event. */
export interface JobEvent {
  readonly jobId: string
  readonly kind: string
  readonly step: JobProgress['step']
  readonly detail: string
  readonly at: number
}

/** The error a cancelled job ends with. */
export function toCancelledError(): UserError {
  return new UserError('cancelled', 'Cancelled.', { fix: 'Start it again when ready.' })
}

/** Running jobs by id. */
export class JobRegistry {
  readonly #running = new Map<string, AbortController>()
  #seq = 0

  constructor(private readonly onProgress: (e: JobEvent) => void) {}

  /**
   * Runs `fn` as job `jobId` (a fresh id when absent). A cancel rejects with 'cancelled' at once, unless
   * `raceAbort` is false: then `fn` watches the signal itself and finishes (apply lets the gateway revert).
   */
  async run<T>(jobId: string | undefined, kind: string, fn: (ctx: JobContext) => Promise<T>, opts: { readonly raceAbort?: boolean } = {}): Promise<T> {
    const id = jobId ?? `job-${++this.#seq}`
    if (this.#running.has(id)) throw new UserError('job-busy', 'A job with this id is already running.', { fix: 'Use a new job id for each job.' })
    const ctl = new AbortController()
    this.#running.set(id, ctl)
    const ctx: JobContext = {
      signal: ctl.signal,
      progress: (step, detail = '') => {
        if (!ctl.signal.aborted) this.onProgress({ jobId: id, kind, step, detail, at: Date.now() })
      },
    }
    const aborted = new Promise<never>((_, reject) => ctl.signal.addEventListener('abort', () => reject(toCancelledError()), { once: true }))
    aborted.catch(() => undefined)
    try {
      return await (opts.raceAbort === false ? fn(ctx) : Promise.race([fn(ctx), aborted]))
    } finally {
      this.#running.delete(id)
    }
  }

  /** Cancels a running job; false when no such job runs. */
  cancel(jobId: string): boolean {
    const ctl = this.#running.get(jobId)
    if (!ctl) return false
    ctl.abort()
    return true
  }

  /** Cancels every running job (window closed, app quitting). */
  cancelAll(): void {
    for (const ctl of this.#running.values()) ctl.abort()
  }

  /** Ids of running jobs. */
  running(): string[] {
    return [...this.#running.keys()]
  }
}
