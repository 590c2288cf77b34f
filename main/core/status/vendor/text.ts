// Small readers shared by the vendor show-command parsers: sections, numbers, IPv4 tokens.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/** True for a dotted-quad IPv4 address. */
export function isIpv4(s: string): boolean {
  return IPV4.test(s)
}

/** The lines of a command's output, without the CR a terminal adds and without the echoed prompt line. */
export function toLines(text: string): string[] {
  return text.replace(/\r/g, '').split('\n')
}

/** Splits text into sections, each starting at a line that matches `start`. */
export function toSections(text: string, start: RegExp): string[][] {
  const out: string[][] = []
  for (const line of toLines(text)) {
    if (start.test(line)) out.push([line])
    else out.at(-1)?.push(line)
  }
  return out
}

/** The first number captured by `re` in the lines, or undefined. */
export function toNumber(lines: readonly string[], re: RegExp): number | undefined {
  for (const l of lines) {
    const m = re.exec(l)
    if (m?.[1] !== undefined) return Number(m[1])
  }
  return undefined
}

/** The first capture of `re` in the lines, or undefined. */
export function toMatch(lines: readonly string[], re: RegExp): string | undefined {
  for (const l of lines) {
    const m = re.exec(l)
    if (m?.[1] !== undefined) return m[1]
  }
  return undefined
}

/** An SPI as lower-case hex without 0x (Cisco prints 0x6ADB173, Junos df27aae4, PAN-OS 8827A3D9). */
export function toSpi(s: string | undefined): string {
  if (!s) return ''
  return s.replace(/^0x/i, '').replace(/\(.*$/, '').toLowerCase()
}
