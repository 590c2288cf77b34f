import { maskIps } from '../safe-mode/safe-mode-store'

/** A unified diff, one line per row, added/removed lines marked in text as well as colour. */
export function DiffView({ diff, label, masked }: { readonly diff: string; readonly label: string; readonly masked: boolean }) {
  const lines = diff.split('\n')
  return (
    <pre className="tw-diff" aria-label={label} tabIndex={0}>
      {lines.map((l, i) => {
        const text = masked ? maskIps(l) : l
        const cls = l.startsWith('+') && !l.startsWith('+++') ? 'tw-diff__add' : l.startsWith('-') && !l.startsWith('---') ? 'tw-diff__del' : 'tw-diff__ctx'
        return (
          <span key={i} className={cls}>
            {text || ' '}
          </span>
        )
      })}
    </pre>
  )
}
