import type { HelpTopic } from '../help/help-texts'

/** Built-in, offline help for a step or a finding: what it means and why AWS needs it. */
export function HelpPanel({ topic, open = false }: { readonly topic: HelpTopic; readonly open?: boolean }) {
  return (
    <details className="tw-help" open={open}>
      <summary className="tw-help__summary">Help: {topic.title}</summary>
      <div className="tw-help__body">
        {topic.paragraphs.map((p) => (
          <p key={p}>{p}</p>
        ))}
        {topic.why ? (
          <p>
            <strong>Why AWS needs it: </strong>
            {topic.why}
          </p>
        ) : null}
      </div>
    </details>
  )
}
