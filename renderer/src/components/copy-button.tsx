import { useState } from 'react'
import { useAnnouncer } from './announcer'

/** Copies `text` to the clipboard and says so (visibly and to screen readers). */
export function CopyButton({ text, label = 'Copy', className }: { readonly text: string; readonly label?: string; readonly className?: string }) {
  const [done, setDone] = useState(false)
  const announce = useAnnouncer((s) => s.announce)
  return (
    <button
      type="button"
      className={`usa-button usa-button--outline${className ? ` ${className}` : ''}`}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => {
            setDone(true)
            announce('Copied to the clipboard.')
          },
          () => announce('Could not copy: the clipboard is not available. Select the text and copy it by hand.', true),
        )
      }}
    >
      {done ? 'Copied' : label}
    </button>
  )
}
