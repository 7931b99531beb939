import { Route, Routes } from 'react-router'
import { CartProvider } from './cart/cart-context'
import type { CartStore } from './cart/cart-store'
import { Layout } from './components/layout'
import { LoginPage, RegisterPage } from './pages/account-entry-page'
import { AccountPage } from './pages/account-page'
import { AdminBookPage } from './pages/admin/admin-book-page'
import { AdminBooksPage } from './pages/admin/admin-books-page'
import { AdminDeadLettersPage } from './pages/admin/admin-dead-letters-page'
import { AdminHomePage } from './pages/admin/admin-home-page'
import { AdminLayout } from './pages/admin/admin-layout'
import { AdminOrdersPage } from './pages/admin/admin-orders-page'
import { BookPage } from './pages/book-page'
import { CartPage } from './pages/cart-page'
import { CatalogPage } from './pages/catalog-page'
import { CheckoutPage } from './pages/checkout-page'
import { NotFoundPage } from './pages/not-found-page'
import { OrderPage } from './pages/order-page'
import { OrdersPage } from './pages/orders-page'
import { SessionProvider } from './session/session-context'
import type { SessionManager } from './session/session-manager'

/** The shop's routes; the router itself is given by the caller (BrowserRouter, or MemoryRouter in tests). */
export function App(props: { session: SessionManager; cart: CartStore }) {
  return (
    <SessionProvider session={props.session}>
      <CartProvider store={props.cart}>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<CatalogPage />} />
            <Route path="books/:bookId" element={<BookPage />} />
            <Route path="cart" element={<CartPage />} />
            <Route path="checkout" element={<CheckoutPage />} />
            <Route path="orders" element={<OrdersPage />} />
            <Route path="orders/:orderId" element={<OrderPage />} />
            <Route path="manage" element={<AdminLayout />}>
              <Route index element={<AdminHomePage />} />
              <Route path="books" element={<AdminBooksPage />} />
              <Route path="books/:bookId" element={<AdminBookPage />} />
              <Route path="orders" element={<AdminOrdersPage />} />
              <Route path="dead-letters" element={<AdminDeadLettersPage />} />
            </Route>
            <Route path="login" element={<LoginPage />} />
            <Route path="register" element={<RegisterPage />} />
            <Route path="account" element={<AccountPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </CartProvider>
    </SessionProvider>
  )
}
