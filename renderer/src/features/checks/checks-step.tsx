import type { CheckFix, CheckFinding } from '../../../../preload/api'
import { JobActions } from '../../components/job-actions'
import { AppErrorAlert, Notice } from '../../components/app-error-alert'
import { CopyButton } from '../../components/copy-button'
import { HelpPanel } from '../../components/help-panel'
import { StepHeading } from '../../components/step-heading'
import { STEP_HELP, toFindingHelp } from '../../help/help-texts'
import { maskIps, useIpMasked } from '../safe-mode/safe-mode-store'
import { StepNav } from '../wizard/step-nav'
import { STEPS } from '../wizard/wizard-store'
import { useChecksStore } from './checks-store'
import { FixApply, isApplicableFix } from './fix-apply'

const FIREWALL_NAMES: Record<keyof CheckFix, string> = { nft: 'nftables', iptables: 'iptables', firewalld: 'firewalld', ufw: 'ufw', pfsense: 'pfSense', sysctl: 'sysctl' }
/** The severity in words, so it does not rest on the alert's colour and icon alone. */
const SEVERITY_WORDS: Record<CheckFinding['severity'], string> = { error: 'Problem', warning: 'Warning', info: 'Note', ok: 'OK' }
const FLOW_NAMES = { udp500: 'UDP 500 (IKE)', udp4500: 'UDP 4500 (NAT traversal)', esp: 'ESP (IP protocol 50)' } as const

function toTitle(f: CheckFinding, masked: boolean): string {
  const s = f.subject
  const what = s.flow ? `${FLOW_NAMES[s.flow]}${s.direction ? ` ${s.direction}` : ''}` : (s.topic ?? f.id)
  const peer = s.peer ? ` to ${masked ? maskIps(s.peer) : s.peer}` : ''
  return `${what}${peer}: ${f.verdict}`
}

/** One finding with its evidence, why it matters, and per-firewall fix commands. */
function FindingCard({ f, masked }: { readonly f: CheckFinding; readonly masked: boolean }) {
  const type = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : f.severity === 'ok' ? 'success' : 'info'
  const help = toFindingHelp(f)
  const fixes = Object.entries(f.fix ?? {}).filter(([, cmd]) => cmd) as [keyof CheckFix, string][]
  const fixed = useChecksStore((s) => s.fixOutcomes[f.id])
  return (
    <li className="margin-bottom-2">
      <div className={`usa-alert usa-alert--${type} usa-alert--slim`}>
        <div className="usa-alert__body">
          <h4 className="usa-alert__heading">
            {SEVERITY_WORDS[f.severity]} — {toTitle(f, masked)}
          </h4>
          <p className="usa-alert__text">{masked ? maskIps(f.why) : f.why}</p>
          {f.evidence.length > 0 ? (
            <details>
              <summary>Evidence</summary>
              <pre className="tw-pre">{f.evidence.map((e) => (masked ? maskIps(e) : e)).join('\n')}</pre>
            </details>
          ) : null}
          {fixes.map(([fw, cmd]) => (
            <div key={fw}>
              <p className="margin-bottom-0">
                <strong>Fix with {FIREWALL_NAMES[fw]}:</strong>
              </p>
              <pre className="tw-pre" aria-label={`Fix command for ${FIREWALL_NAMES[fw]}`}>{masked ? maskIps(cmd) : cmd}</pre>
              <CopyButton text={cmd} label={`Copy ${FIREWALL_NAMES[fw]} command`} />
            </div>
          ))}
          {isApplicableFix(f) ? <FixApply f={f} masked={masked} /> : null}
          {fixed ? <Notice type={fixed.ok ? 'success' : 'warning'}>{masked ? maskIps(fixed.text) : fixed.text}</Notice> : null}
          {help ? <p className="usa-alert__text">{[...help.paragraphs, ...(help.why ? [help.why] : [])].join(' ')}</p> : null}
        </div>
      </div>
    </li>
  )
}

/** Step 4: firewall, NAT and path checks, each with its fix. */
export default function ChecksStep() {
  const { report, job, error, run, cancel, lastFix } = useChecksStore()
  const masked = useIpMasked()
  const problems = report?.findings.filter((f) => f.severity === 'error' || f.severity === 'warning') ?? []
  return (
    <section aria-labelledby="step-checks">
      <StepHeading id="step-checks" number={4} total={STEPS.length}>
        Firewall, NAT and path checks
      </StepHeading>
      <HelpPanel topic={STEP_HELP.checks} />
      <JobActions startLabel={report ? 'Run the checks again' : 'Run the checks'} startDisabled={job !== undefined} running={job !== undefined} onStart={() => void run()} onCancel={() => void cancel()} />
      <p role="status" className="usa-hint">
        {job ? 'Reading the firewall and routes on the gateway…' : report ? `${report.findings.length} checks, ${problems.length} need attention.${lastFix ? ` ${masked ? maskIps(lastFix) : lastFix}` : ''}` : ''}
      </p>
      {error ? <AppErrorAlert error={error} heading="The checks could not run" /> : null}
      {report && !problems.some((f) => f.severity === 'error') ? (
        <Notice type="success">
          Nothing blocks IKE or ESP to either AWS endpoint.
          {problems.length > 0 ? ` ${problems.length === 1 ? 'One warning is' : `${problems.length} warnings are`} worth a look below.` : ''}
        </Notice>
      ) : null}
      {report ? (
        <ul className="usa-list usa-list--unstyled" aria-label="Check findings">
          {withKeys([...report.findings].sort((a, b) => rank(a) - rank(b))).map(([key, f]) => (
            <FindingCard key={key} f={f} masked={masked} />
          ))}
        </ul>
      ) : null}
      <StepNav step="checks" continueLabel="Continue to Review" />
    </section>
  )
}

/** Keys by finding id (stable when a re-check re-sorts the list, so a card keeps its state); a repeated id gets a count. */
function withKeys(findings: readonly CheckFinding[]): [string, CheckFinding][] {
  const seen = new Map<string, number>()
  return findings.map((f) => {
    const n = seen.get(f.id) ?? 0
    seen.set(f.id, n + 1)
    return [n === 0 ? f.id : `${f.id}#${n}`, f]
  })
}

function rank(f: CheckFinding): number {
  return { error: 0, warning: 1, info: 2, ok: 3 }[f.severity]
}
