// Apply on a lab swanctl gateway: time to both tunnels up with traffic through them, SSH round trips,
// and the same push done by an Ansible playbook (copy + command modules) on the same gateway.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Details } from '../../main/core/details/model'
import { processSecretSources } from '../../main/core/details/resolve'
import { toGatewayShell } from '../../main/core/gateway/shell'
import { Secret } from '../../main/core/base/secret'
import { connect, type SshSession } from '../../main/core/ssh/session'
import { applyChange, prepareChange, rollbackChange } from '../../main/core/workflow/change'
import { up, type Lab } from '../lab'
import { type Figure, labUnavailable, stats } from './report'

/** A session to the lab gateway, trusting exactly the lab's host key. */
export async function labSession(lab: Lab, dir: string): Promise<SshSession> {
  const kh = join(dir, 'known_hosts')
  writeFileSync(kh, `${lab.gateway.ssh.knownHostsLine}\n`)
  return connect(
    { host: '127.0.0.1', port: lab.gateway.ssh.port, username: lab.gateway.ssh.username, auth: { kind: 'key', privateKey: new Secret(lab.gateway.ssh.privateKey!) } },
    { storeDir: join(dir, 'store'), knownHostsFiles: [kh] },
  )
}

async function ansiblePlaybook(lab: Lab, dir: string, file: { path: string; content: string }, names: readonly string[], probe: { from: string; to: string }, activeStandby: boolean): Promise<{ ok: boolean; ms: number; out: string }> {
  writeFileSync(join(dir, 'key'), lab.gateway.ssh.privateKey!, { mode: 0o600 })
  writeFileSync(join(dir, 'conf'), file.content, { mode: 0o600 })
  writeFileSync(join(dir, 'inventory'), `gw ansible_host=127.0.0.1 ansible_port=${lab.gateway.ssh.port} ansible_user=${lab.gateway.ssh.username} ansible_ssh_private_key_file=${join(dir, 'key')} ansible_python_interpreter=/usr/bin/python3\n`)
  // The same "up" apply's verify waits for: both tunnels, or (policy-based, tunnel 2 standing by) either one.
  const up = names.map((n) => `swanctl --list-sas --ike ${n} | grep -q INSTALLED`).join(activeStandby ? ' || ' : ' && ')
  writeFileSync(
    join(dir, 'push.yml'),
    `- hosts: gw
  gather_facts: false
  tasks:
    - name: copy the swanctl file
      copy: { src: ${join(dir, 'conf')}, dest: ${file.path}, mode: '0600' }
    - name: load it
      command: swanctl --load-all --noprompt
    - name: wait until the tunnels are up and traffic passes
      shell: "( ${up} ) && ping -c 1 -W 1 -I ${probe.from} ${probe.to}"
      register: r
      until: r.rc == 0
      retries: 60
      delay: 1
`,
  )
  const t0 = performance.now()
  // Asynchronous: the lab's SSH relay runs in this process's event loop, so a blocking spawn would deadlock.
  const child = spawn('ansible-playbook', ['-i', join(dir, 'inventory'), join(dir, 'push.yml')], {
    env: { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${join(dir, 'known_hosts')} -o ControlMaster=auto -o ControlPersist=60s`, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'), HOME: dir },
  })
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr.on('data', (b: Buffer) => (out += b.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { ok: code === 0, ms: performance.now() - t0, out: out.slice(-800) }
}

/** Apply timings, round trips, and the Ansible ratio. */
export async function benchApply(): Promise<Figure[]> {
  const why = labUnavailable()
  if (why) throw new Error(why)
  const lab = await up({ gateway: 'swanctl' })
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-apply-'))
  try {
    const details = Details.parse({ ...lab.details(), routing: 'policy' })
    const probe = { from: lab.gateway.lanIp, to: details.health!.target }
    const times: number[] = []
    const trips: number[] = []
    let fileForAnsible: { path: string; content: string } | undefined
    let names: readonly string[] = []
    let activeStandby = false
    for (let i = 0; i < 5; i++) {
      const session = await labSession(lab, dir)
      const shell = toGatewayShell(session)
      const before = session.roundTrips
      const t0 = performance.now()
      const change = await prepareChange({ shell: shell }, { details: details, sources: processSecretSources })
      // The check after a commit is left out here: the Ansible baseline does no such work.
      const result = await applyChange({ shell: shell }, change, { confirmWithin: 60, recheck: false })
      const ms = performance.now() - t0
      if (result.outcome !== 'committed') throw new Error(`apply ${i + 1} ${result.outcome}: ${result.detail ?? ''} — steps ${result.steps.map((s) => `${s.step}@${s.at}`).join(' ')}`)
      times.push(ms)
      trips.push(session.roundTrips - before)
      fileForAnsible = change.rendered.files[0]
      names = change.rendered.connectionNames
      activeStandby = change.tunnels === 'active-standby'
      await rollbackChange({ shell: shell })
      await session.close()
    }
    const ours = stats(times)
    const ansible: number[] = []
    let ansibleNote = ''
    for (let i = 0; i < 3; i++) {
      const r = await ansiblePlaybook(lab, dir, fileForAnsible!, names, probe, activeStandby)
      if (!r.ok) {
        ansibleNote = `ansible-playbook failed: ${r.out}`
        break
      }
      ansible.push(r.ms)
      const session = await labSession(lab, dir)
      await toGatewayShell(session).runScript(`rm -f ${fileForAnsible!.path}; swanctl --load-all --noprompt >/dev/null 2>&1; for c in ${names.join(' ')}; do swanctl --terminate --ike $c >/dev/null 2>&1; done; true`)
      await session.close()
    }
    const figures: Figure[] = [
      { name: 'apply → tunnels up + ping through (median of 5)', value: ours.median, unit: 'ms', target: '≤ 3000 ms', note: `detect, plan, backup, write, validate, load, verify with traffic, confirm${activeStandby ? ' (policy-based: tunnel 1 up, tunnel 2 standing by)' : ''}; without the check after the commit` },
      { name: 'apply, max of 5', value: ours.max, unit: 'ms' },
      { name: 'SSH round trips per apply', value: stats(trips).max, unit: 'trips', target: '≤ 5' },
    ]
    if (ansible.length > 0) {
      const a = stats(ansible)
      figures.push({ name: 'Ansible copy + command, same push (median of 3)', value: a.median, unit: 'ms', note: 'ansible-core from Debian, ControlPersist on' })
      figures.push({ name: 'ratio Ansible / Tunnelwright', value: a.median / ours.median, unit: '×', target: '≥ 3×' })
    } else {
      figures.push({ name: 'Ansible comparison', value: NaN, unit: '', note: ansibleNote })
    }
    return figures
  } finally {
    await lab.down()
  }
}
