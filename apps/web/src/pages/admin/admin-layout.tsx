import { NavLink, Outlet } from 'react-router'
import { AdminGuard } from '../../components/admin-guard'

/** The admin area: its own navigation, behind the admin role. */
export function AdminLayout() {
  return (
    <AdminGuard>
      <nav className="admin-nav" aria-label="Administration">
        <NavLink to="/manage" end>
          Overview
        </NavLink>
        <NavLink to="/manage/books">Books</NavLink>
        <NavLink to="/manage/orders">Orders</NavLink>
        <NavLink to="/manage/dead-letters">Dead letters</NavLink>
      </nav>
      <Outlet />
    </AdminGuard>
  )
}
