import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { realtimeUrl } from './api/api-paths'
import { App } from './app'
import { CartStore } from './cart/cart-store'
import { SessionManager } from './session/session-manager'
import { browserTabSync } from './session/tab-sync'
import './styles.css'

const session = new SessionManager(browserTabSync())
const cart = new CartStore({
  token: () => session.accessToken(),
  tokenRefused: (token) => session.tokenRefused(token),
  realtimeUrl: realtimeUrl(window.location),
})

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App session={session} cart={cart} />
    </BrowserRouter>
  </StrictMode>,
)
