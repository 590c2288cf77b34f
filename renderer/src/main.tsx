import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
// USWDS compiled CSS from node_modules: vite bundles it and the fonts/images it references (no CDN).
import '@uswds/uswds/css/uswds.min.css'
import { App } from './app'
import './styles.css'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
