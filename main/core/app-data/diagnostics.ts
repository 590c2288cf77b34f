// The diagnostics bundle: versions, detected facts, findings, status, recent daemon logs and rendered
// configs in one JSON document, with every known secret (in every encoding) and every secret-looking
// assignment cut out, and secret files' content never included.
import { maskIp, MIN_SECRET_LENGTH, REDACTED, redactDeep, toRedactor } from '../base/redact'
import type { Secret } from '../base/secret'

/** The bundle format tag. */
export const DIAGNOSTICS_FORMAT = 'tunnelwright/diagnostics@1'

/** A rendered file as the bundle takes it. */
export interface BundleFile {
  readonly path: string
  readonly mode: number
  readonly secret: boolean
  readonly content: string
}

/** What goes into a bundle (every part optional but the versions). */
export interface DiagnosticsInput {
  readonly generatedAt: string
  readonly versions: Readonly<Record<string, string>>
  readonly settings?: unknown
  readonly profile?: unknown
  readonly facts?: unknown
  readonly lintFindings?: readonly unknown[]
  readonly checkFindings?: readonly unknown[]
  readonly status?: unknown
  readonly alerts?: readonly unknown[]
  readonly daemonLog?: string
  readonly rendered?: readonly BundleFile[]
  readonly activity?: readonly unknown[]
  readonly errors?: readonly string[]
}

/** Bundle options: the secrets to cut and whether to mask public IPs. */
export interface DiagnosticsOptions {
  readonly secrets: readonly (Secret | string)[]
  readonly maskPublicIps?: boolean
  /** Public IPs to mask when maskPublicIps is set (the gateway's and AWS's). */
  readonly publicIps?: readonly string[]
  /** Keep only this many trailing log lines. */
  readonly maxLogLines?: number
}

/** The bundle as pretty JSON text, redacted. */
export function toDiagnosticsBundle(input: DiagnosticsInput, opts: DiagnosticsOptions): string {
  const cut = toRedactor(opts.secrets)
  const ips = opts.maskPublicIps ? [...new Set(opts.publicIps ?? [])].sort((a, b) => b.length - a.length) : []
  const redact = (s: string) => {
    let out = cut(s)
    for (const ip of ips) out = out.split(ip).join(maskIp(ip))
    return out
  }
  // Multi-line texts are redacted whole before they are split into lines: a secret wrapped across lines
  // (base64 at 76 columns) is only visible in the whole text.
  const logLines = input.daemonLog === undefined ? undefined : redact(input.daemonLog).split('\n').slice(-(opts.maxLogLines ?? 400))
  const doc = {
    format: DIAGNOSTICS_FORMAT,
    ...input,
    daemonLog: logLines,
    rendered: input.rendered?.map((f) => ({ path: f.path, mode: f.mode.toString(8), secret: f.secret, content: f.secret ? `${REDACTED} (secret file: content never exported)` : redact(f.content).split('\n') })),
    ...(cut.shortSecrets > 0 ? { redactionNote: `${cut.shortSecrets} secret(s) shorter than ${MIN_SECRET_LENGTH} characters were cut only where marked as secrets (assignments, fields holding exactly the value): a value that short cannot be cut from free text without shredding it.` } : {}),
  }
  return JSON.stringify(redactDeep(doc, redact), null, 2) + '\n'
}
