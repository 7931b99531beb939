import { Link } from 'react-router'
import { useDocumentTitle } from '../components/route-focus'

export function NotFoundPage() {
  useDocumentTitle('Page not found')
  return (
    <>
      <h1>Page not found</h1>
      <p>There is no page at this address.</p>
      <Link to="/">Browse the catalog</Link>
    </>
  )
}
