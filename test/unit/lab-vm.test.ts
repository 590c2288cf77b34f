// The VM lab's pure parts: the initramfs module order from modules.dep, the one-sshd config with the lab's
// control port, the aws side's inside addresses, and the aws swanctl.conf with XFRM interfaces.
import { describe, expect, it } from 'vitest'
import { renderAwsSwanctl } from '../lab/strongswan'
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
