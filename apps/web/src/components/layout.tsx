import { Link, NavLink, Outlet, useNavigate } from 'react-router'
import { useCart } from '../cart/cart-context'
import { useSession, useSessionManager } from '../session/session-context'
import { CartMessages } from './cart-notices'
import { RouteFocus } from './route-focus'

function ConnectionStatus() {
  const { connection, status } = useCart()
  // Quiet: only a lost connection is worth a word; the cart catches up by itself when it is back.
  const live = status === 'signed-out' ? undefined : connection
  return (
    <span className="connection" role="status" data-testid="connection-status">
      {live === 'reconnecting'
        ? 'Reconnecting…'
        : live === 'closed'
          ? 'Not live: reload the page to see changes'
          : ''}
    </span>
  )
}

function CartLink() {
  const { cart } = useCart()
  const count = cart?.itemCount ?? 0
  return (
    <NavLink to="/cart" className="cart-link" aria-label={`Cart, ${count} ${count === 1 ? 'book' : 'books'}`}>
      Cart{' '}
      <span className="cart-count" data-testid="cart-count">
        {count}
      </span>
    </NavLink>
  )
}

function AccountLinks() {
  const state = useSession()
  const session = useSessionManager()
  const navigate = useNavigate()
  if (state.status === 'starting') return <span className="account-links" aria-hidden="true" />
  if (state.status === 'anonymous')
    return (
      <span className="account-links">
        <NavLink to="/login">Log in</NavLink>
        <NavLink to="/register">Register</NavLink>
      </span>
    )
  return (
    <span className="account-links">
      <NavLink to="/orders">Orders</NavLink>
      {state.user.role === 'admin' && <NavLink to="/manage">Admin</NavLink>}
      <NavLink to="/account" data-testid="account-link">
        {state.user.email ?? 'Account'}
      </NavLink>
      <button
        type="button"
        className="button button-link"
        onClick={() => void session.logout().finally(() => navigate('/'))}
      >
        Log out
      </button>
    </span>
  )
}

export function Layout() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          Bookstore
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Books
          </NavLink>
          <CartLink />
          <AccountLinks />
        </nav>
        <ConnectionStatus />
      </header>
      <CartMessages />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Your cart follows you on every tab and device, live.</p>
      </footer>
      <RouteFocus />
    </>
  )
}
