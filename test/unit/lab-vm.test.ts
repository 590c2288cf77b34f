// The VM lab's pure parts: the initramfs module order from modules.dep, the one-sshd config with the lab's
// control port, the aws side's inside addresses, the aws swanctl.conf with XFRM interfaces, and with FRR the
// aws frr.conf, the guests' systemctl stand-ins and the BGP variant of the details.
import { describe, expect, it } from 'vitest'
import { Details } from '../../main/core/details/model'
import { detailsFor } from '../lab/details'
import { renderAwsSwanctl } from '../lab/strongswan'
import { AWS_ASN, CUSTOMER_ASN, LAB_BGP, renderAwsFrrConf } from '../lab/vm-frr'
import { baseGuestFiles } from '../lab/vm-guest'
import { withControlPort, CONTROL_PORT } from '../lab/vm'
import { parseModulesDep, toLoadOrder } from '../lab/vm-image'
import { insideAddresses } from '../lab/vm-lab'

// Lines of Debian 6.1.0-57-amd64's modules.dep (busybox depmod), as the lab's kernel cache has them.
const MODULES_DEP = `kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet_virtio.ko: kernel/drivers/virtio/virtio.ko kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/fs/overlayfs/overlay.ko:
kernel/net/9p/9pnet.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/fs/netfs/netfs.ko:
kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
`

describe('initramfs module order', () => {
  const dep = parseModulesDep(MODULES_DEP)

  it('loads every dependency before the module that needs it, each once', () => {
    const order = toLoadOrder(dep, new Set(), ['virtio_pci', '9pnet_virtio', '9p', 'overlay']).map((p) => p.split('/').pop())
    expect(new Set(order).size).toBe(order.length)
    const before = (a: string, b: string) => expect(order.indexOf(a), `${a} before ${b}`).toBeLessThan(order.indexOf(b))
    before('virtio_ring.ko', 'virtio.ko')
    before('virtio.ko', 'virtio_pci.ko')
    before('netfs.ko', 'fscache.ko')
    before('fscache.ko', '9p.ko')
    before('9pnet.ko', '9pnet_virtio.ko')
    expect(order).toContain('overlay.ko')
  })

  it('skips built-in modules and refuses unknown ones', () => {
    expect(toLoadOrder(dep, new Set(['crc32c']), ['crc32c'])).toEqual([])
    expect(() => toLoadOrder(dep, new Set(), ['no_such_module'])).toThrow(/neither a module nor built in/)
  })
})

describe("one sshd per guest: the app's config plus the lab's control port", () => {
  const app = ['# app', 'Port 22', 'ListenAddress 0.0.0.0', 'PermitRootLogin no', 'PubkeyAuthentication no', 'PasswordAuthentication yes', ''].join('\n')

  it("keeps the app's settings global and lets only root with the lab's key in on the control port", () => {
    const c = withControlPort(app)
    expect(c.match(/^Port \d+$/gm)).toEqual(['Port 22', `Port ${CONTROL_PORT}`])
    expect(c).toContain('PermitRootLogin no\n')
    const match = c.slice(c.indexOf(`Match LocalPort ${CONTROL_PORT}`))
    expect(match).toContain('PermitRootLogin prohibit-password')
    expect(match).toContain('PasswordAuthentication no')
    expect(match).toContain('AuthorizedKeysFile /run/lab/control_keys')
    expect(c.indexOf('Match')).toBeGreaterThan(c.indexOf('PasswordAuthentication yes'))
  })

  it('has only the control port without an app config, and refuses an app config that ends in a Match block', () => {
    expect(withControlPort(undefined).match(/^Port \d+$/gm)).toEqual([`Port ${CONTROL_PORT}`])
    expect(() => withControlPort(`${app}Match User x\n  PermitTTY no\n`)).toThrow(/Match block/)
  })
})

describe('the aws VM', () => {
  it("takes the first address of each inside /30, the customer gateway the second (AWS's rule)", () => {
    expect(insideAddresses('169.254.120.0/30')).toEqual({ aws: '169.254.120.1', customer: '169.254.120.2' })
    expect(insideAddresses('169.254.121.4/30')).toEqual({ aws: '169.254.121.5', customer: '169.254.121.6' })
  })

  it('binds each tunnel to its XFRM interface and updown script, and never rekeys (rand_time 0, not "some time ago")', () => {
    const t = { name: 'tunnel1', outsideIp: '198.18.1.10', psk: 'Pabc', customerIp: '198.18.2.2', localTs: '0.0.0.0/0', remoteTs: '0.0.0.0/0' }
    const vm = renderAwsSwanctl([{ ...t, ifId: 101, updown: '/usr/local/sbin/tw-aws-updown' }], false)
    expect(vm).toMatch(/if_id_in = 101\n\s+if_id_out = 101\n\s+updown = \/usr\/local\/sbin\/tw-aws-updown/)
    const ns = renderAwsSwanctl([t], false)
    expect(ns).not.toContain('if_id')
    expect(ns).not.toContain('updown')
    for (const conf of [vm, ns]) expect(conf).toMatch(/rekey_time = 0s\n\s+rand_time = 0s\n\s+life_time = 3600s/)
  })
})

describe('BGP in the VM lab (frr)', () => {
  const neighbours = ['169.254.120.0/30', '169.254.121.4/30'].map(insideAddresses).map((a) => ({ awsIp: a.aws, customerIp: a.customer }))

  it("gives the aws VM AWS's side: AS 64512, a neighbour per tunnel on the customer's inside address with timers 10/30, the dedicated CIDR out", () => {
    const conf = renderAwsFrrConf({ asn: AWS_ASN, customerAsn: CUSTOMER_ASN, neighbours, networks: ['10.40.0.0/24'] })
    expect(conf).toMatch(/^router bgp 64512$/m)
    expect(conf).toMatch(/^ bgp router-id 169\.254\.120\.1$/m)
    for (const ip of ['169.254.120.2', '169.254.121.6']) {
      expect(conf).toContain(` neighbor ${ip} remote-as 65000\n neighbor ${ip} timers 10 30\n`)
    }
    expect(conf).toMatch(/ address-family ipv4 unicast\n {2}network 10\.40\.0\.0\/24\n {2}maximum-paths 1\n exit-address-family/)
  })

  it('makes the frr.service stand-in the guest systemctl only with FRR, handing ipsec to the Libreswan stand-in', () => {
    const at = (files: ReturnType<typeof baseGuestFiles>, path: string) => files.find((f) => f.path === path)?.data ?? ''
    expect(at(baseGuestFiles('charon'), '/usr/local/sbin/systemctl')).toBe('')
    expect(at(baseGuestFiles('charon', true), '/usr/local/sbin/systemctl')).toContain('frr.service')
    expect(at(baseGuestFiles('pluto'), '/usr/local/sbin/systemctl')).toContain('ipsec.service')
    const both = baseGuestFiles('pluto', true)
    expect(at(both, '/usr/local/sbin/systemctl')).toContain('/usr/local/lib/tw-lab/systemctl-ipsec')
    expect(at(both, '/usr/local/lib/tw-lab/systemctl-ipsec')).toContain('ipsec.service')
  })

  it("adds the BGP section to the lab's details: AWS's inside addresses as neighbours, paired by outside IP; it parses with the app's model", () => {
    const base = {
      kind: 'swanctl' as const,
      publicIp: '198.18.2.2',
      wanIp: '198.18.2.2',
      nat: false,
      lanCidr: '192.168.50.0/24',
      dedicatedCidr: '10.40.0.0/24',
      egressIps: ['10.40.0.10'],
      tunnels: [
        { outsideIp: '198.18.1.10', psk: 'P'.padEnd(32, 'a'), insideCidr: '169.254.120.0/30' },
        { outsideIp: '198.18.1.20', psk: 'P'.padEnd(32, 'b'), insideCidr: '169.254.121.4/30' },
      ],
      healthTarget: '10.40.0.10',
    }
    expect(detailsFor(base).bgp).toBeUndefined()
    const d = Details.parse(detailsFor({ ...base, bgp: LAB_BGP }))
    expect(d.bgp?.tunnels).toEqual([
      { outsideIp: '198.18.1.10', awsAsn: 64512, customerAsn: 65000, neighborIp: '169.254.120.1', holdTime: 30 },
      { outsideIp: '198.18.1.20', awsAsn: 64512, customerAsn: 65000, neighborIp: '169.254.121.5', holdTime: 30 },
    ])
  })
})
