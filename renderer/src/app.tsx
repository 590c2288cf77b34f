import { useEffect } from 'react'
import { useAppStore } from './app-store'

/** The application frame. */
export function App() {
  const { info, error, load } = useAppStore()
  useEffect(() => {
    void load()
  }, [load])

  return (
    <div className="app">
      <header className="app-header">
        <h1>Tunnelwright</h1>
        <p className="app-version" aria-live="polite">
          {info ? `Version ${info.version} · details format ${info.detailsFormat}` : error ? error.message : 'Loading…'}
        </p>
      </header>
      <main id="main-content">
        <h2>Supported gateways</h2>
        <ul aria-label="Supported gateways">{info?.deviceKinds.map((k) => <li key={k}>{k}</li>)}</ul>
      </main>
    </div>
  )
}
