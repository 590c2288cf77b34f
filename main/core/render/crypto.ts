// The details' crypto settings spelled the way each daemon reads them.
import type { Crypto } from '../details/model'
import { UserError } from '../base/result'

const DH_NAMES: Readonly<Record<number, string>> = {
  1: 'modp768', 2: 'modp1024', 5: 'modp1536', 14: 'modp2048', 15: 'modp3072', 16: 'modp4096', 17: 'modp6144', 18: 'modp8192',
  19: 'ecp256', 20: 'ecp384', 21: 'ecp521', 22: 'modp1024s160', 23: 'modp2048s224', 24: 'modp2048s256',
  25: 'ecp192', 26: 'ecp224', 27: 'ecp224bp', 28: 'ecp256bp', 29: 'ecp384bp', 30: 'ecp512bp', 31: 'curve25519', 32: 'curve448',
}

/** strongSwan's name of a DH group (14 → modp2048; 24 is modp2048s256, a different group). */
export function toStrongswanDh(group: number): string {
  const name = DH_NAMES[group]
  if (!name) throw new UserError('dh-group-unsupported', `DH group ${group} has no strongSwan name.`, { fix: 'Use DH group 14 (modp2048), which AWS and cloud.gov expect.' })
  return name
}

function isAead(c: Crypto): boolean {
  return c.encryption.endsWith('gcm16')
}

/** strongSwan IKE proposal, one algorithm per kind (IKEv1 strips the rest): e.g. aes256-sha256-modp2048. */
export function toStrongswanIke(c: Crypto): string {
  // AEAD in IKE needs an explicit PRF instead of an integrity algorithm.
  return isAead(c) ? `${c.encryption}-prf${c.integrity}-${toStrongswanDh(c.dhGroup)}` : `${c.encryption}-${c.integrity}-${toStrongswanDh(c.dhGroup)}`
}

/** strongSwan ESP proposal; a DH group in it means PFS. */
export function toStrongswanEsp(c: Crypto): string {
  const parts: string[] = isAead(c) ? [c.encryption] : [c.encryption, c.integrity]
  if (c.pfsGroup !== 0) parts.push(toStrongswanDh(c.pfsGroup))
  return parts.join('-')
}

const LS_INTEG: Readonly<Record<Crypto['integrity'], string>> = { sha256: 'sha2_256', sha384: 'sha2_384', sha512: 'sha2_512', sha1: 'sha1', md5: 'md5' }
const LS_ENC: Readonly<Record<Crypto['encryption'], string>> = { aes256: 'aes256', aes128: 'aes128', aes256gcm16: 'aes_gcm256', aes128gcm16: 'aes_gcm128', '3des': '3des' }

function toLibreswanDh(group: number): string {
  const name = DH_NAMES[group]
  if (!name || !name.startsWith('modp') || name.includes('s')) {
    if (group === 19 || group === 20 || group === 21 || group === 31) return `dh${group}`
    throw new UserError('dh-group-unsupported', `DH group ${group} is not available in Libreswan/Openswan.`, { fix: 'Use DH group 14 (modp2048).' })
  }
  return name
}

/** Libreswan/Openswan `ike=`: cipher-hash;dhgroup (e.g. aes256-sha2_256;modp2048). */
export function toLibreswanIke(c: Crypto): string {
  if (isAead(c) && c.ikeVersion === 1) throw new UserError('ike-aead-ikev1', 'AES-GCM for IKE needs IKEv2; Libreswan refuses it with IKEv1.', { fix: 'Use aes256 with sha256 for phase 1.' })
  return isAead(c) ? `${LS_ENC[c.encryption]}-${LS_INTEG[c.integrity]};${toLibreswanDh(c.dhGroup)}` : `${LS_ENC[c.encryption]}-${LS_INTEG[c.integrity]};${toLibreswanDh(c.dhGroup)}`
}

/** Libreswan/Openswan `phase2alg=`/`esp=` with the PFS group after `;` (pfs=no when pfsGroup is 0). */
export function toLibreswanEsp(c: Crypto): string {
  const base = isAead(c) ? LS_ENC[c.encryption] : `${LS_ENC[c.encryption]}-${LS_INTEG[c.integrity]}`
  // Libreswan (algparse 4.10): "ESP DH algorithm 'dh19' is not supported by IKEv1" for every ECP group.
  if (c.ikeVersion === 1 && c.pfsGroup !== 0 && toLibreswanDh(c.pfsGroup).startsWith('dh')) {
    throw new UserError('pfs-ecp-ikev1', `Libreswan cannot use DH group ${c.pfsGroup} for PFS with IKEv1.`, { fix: 'Use PFS group 14 (modp2048), which AWS and cloud.gov expect.' })
  }
  return c.pfsGroup === 0 ? base : `${base};${toLibreswanDh(c.pfsGroup)}`
}
