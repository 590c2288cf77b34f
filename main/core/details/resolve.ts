// From a parsed details document to what the renderers and drivers need: secrets resolved,
// names derived and sanitized, routing mode and selectors decided.
import { statSync } from 'node:fs'
import { coveringSupernet, insideAddresses, parsePrefix } from '../net/cidr'
import { BoundedReadError, readBoundedTextSync, toShownPath } from '../base/bounded-read'
import { UserError } from '../base/result'
import { Secret } from '../base/secret'
import type { Details, PskRef } from './model'
import type { RoutingMode } from '../base/vocabulary'
import { toSlug } from './slug'

export { toSlug } from './slug'

/** Where PSK references are looked up; injectable so tests need no real environment. */
export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Reads a `{ "file": … }` PSK reference (real ones use readPskFile: regular files only, bounded). */
  readonly readFile: (path: string) => string
  /** True when group or others may read that PSK file (lint warns); absent where files do not apply. */
  readonly readableByOthers?: (path: string) => boolean
}

/** Largest PSK file accepted: a key is at most 256 characters (one line, maybe a newline). */
export const MAX_PSK_FILE_BYTES = 4096

/** Reads a PSK file through the bounded reader: a regular file of at most MAX_PSK_FILE_BYTES, strict UTF-8. */
export function readPskFile(path: string): string {
  return readBoundedTextSync(path, { what: 'the PSK file', maxBytes: MAX_PSK_FILE_BYTES, timeoutMs: 5000, code: 'psk-file-unreadable' })
}

/** The process's own environment and file system. */
export const processSecretSources: SecretSources = { env: process.env, readFile: readPskFile, readableByOthers: isReadableByOthers }

/** Reads one PSK reference; a file's single trailing newline is dropped (editors add one). */
export function resolvePsk(ref: PskRef, where: string, sources: SecretSources): Secret {
  if (typeof ref === 'string') return new Secret(ref)
  if ('env' in ref) {
    const v = sources.env[ref.env]
    if (v === undefined || v === '') {
      throw new UserError('psk-env-missing', `${where}: the environment variable ${ref.env} is not set.`, { fix: `Set ${ref.env} to the tunnel's pre-shared key before running, or put the key in the details file.` })
    }
    return new Secret(v)
  }
  let text: string
  try {
    text = sources.readFile(ref.file)
  } catch (err) {
    // The bounded reader's message says why (missing, a FIFO or device, too large, not UTF-8); never the content.
    const why = err instanceof BoundedReadError ? `: ${err.why}` : err instanceof UserError ? ` (${err.message})` : ''
    throw new UserError('psk-file-unreadable', `${where}: cannot read the PSK file ${toShownPath(ref.file)}${why}.`, { cause: err, fix: 'Check the path (relative paths are relative to the details file) and that it is a regular file this user may read.' })
  }
  return new Secret(text.replace(/\r?\n$/, ''))
}

/** True when a file exists and others (group or world) may read it: a PSK inside it is exposed (false on Windows). */
export function isReadableByOthers(path: string): boolean {
  try {
    return process.platform !== 'win32' && (statSync(path).mode & 0o044) !== 0
  } catch {
    return false
  }
}

/** The routing mode actually used on the gateway. */
export type { RoutingMode }

/** One tunnel with everything resolved. */
export interface ResolvedTunnel {
  /** 1 or 2, as AWS numbers them (in the order of the details file, matched by outside IP). */
  readonly index: 1 | 2
  readonly outsideIp: string
  readonly psk: Secret
  readonly insideCidr: string
  /** Inside /30: first usable address is AWS's end, second is ours. */
  readonly insideAws: string
  readonly insideLocal: string
}

/** Everything a renderer needs for one device; no further decisions are made in templates. */
export interface RenderInput {
  readonly details: Details
  /** Base name for connections, files and interfaces (toSlug): [a-z0-9-], starts with a letter, ≤ 24 chars, one per full name. */
  readonly slug: string
  readonly tunnels: readonly [ResolvedTunnel, ResolvedTunnel]
  readonly routing: RoutingMode
  /** Our IKE identity: always the public IP (behind NAT too, AWS identifies the customer gateway by it). */
  readonly localId: string
  /** The address to bind/send from; the WAN address behind NAT, else the public IP. */
  readonly localAddress: string
  /** Traffic selectors. Policy-based IKEv1: exactly one each side (a covering supernet when several). */
  readonly localSelectors: readonly string[]
  readonly remoteSelectors: readonly string[]
  /** The agency CIDRs and dedicated CIDRs as given (routes for route-based mode). */
  readonly agencyCidrs: readonly string[]
  readonly dedicatedCidrs: readonly string[]
}

/**
 * Resolves details for rendering. `routing` is the mode decided for this gateway (auto resolved by
 * detection: route-based where the kernel has XFRM interfaces/VTI); policy-based IKEv1 gets one
 * selector pair per tunnel (IKEv1 negotiates only the first; AWS allows one SA pair per tunnel).
 */
export function toRenderInput(details: Details, opts: { routing: RoutingMode; sources: SecretSources }): RenderInput {
  const tunnels = details.remote.tunnels.map((t, i): ResolvedTunnel => {
    const inside = insideAddresses(t.insideCidr)
    if (!inside) throw new UserError('inside-cidr', `Tunnel ${i + 1}: inside CIDR ${t.insideCidr} is not a /30.`, { fix: 'Use the /30 from the provider, in 169.254.0.0/16.' })
    return { index: (i + 1) as 1 | 2, outsideIp: t.outsideIp, psk: resolvePsk(t.psk, `Tunnel ${i + 1} (${t.outsideIp})`, opts.sources), insideCidr: t.insideCidr, insideAws: inside.aws, insideLocal: inside.customer }
  })
  const one = (cidrs: readonly string[]): string[] => {
    const prefixes = cidrs.map((c) => parsePrefix(c)).filter((p) => p !== undefined)
    return prefixes.length <= 1 ? prefixes.map((p) => p.cidr) : [coveringSupernet(prefixes).cidr]
  }
  const route = opts.routing === 'route'
  const ikev1 = details.crypto.ikeVersion === 1
  return {
    details,
    slug: toSlug(details.name),
    tunnels: [tunnels[0]!, tunnels[1]!],
    routing: opts.routing,
    localId: details.gateway.publicIp,
    localAddress: details.gateway.localAddress ?? details.gateway.publicIp,
    localSelectors: route ? ['0.0.0.0/0'] : ikev1 ? one(details.gateway.privateCidrs) : details.gateway.privateCidrs.map((c) => parsePrefix(c)?.cidr ?? c),
    remoteSelectors: route ? ['0.0.0.0/0'] : ikev1 ? one(details.remote.dedicatedCidrs) : details.remote.dedicatedCidrs.map((c) => parsePrefix(c)?.cidr ?? c),
    agencyCidrs: details.gateway.privateCidrs,
    dedicatedCidrs: details.remote.dedicatedCidrs,
  }
}
