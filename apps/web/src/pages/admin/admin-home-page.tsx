import { type MouseEvent, useState } from 'react'
import { Link } from 'react-router'
import { adminApi } from '../../admin/admin-api'
import { adminRefusal } from '../../admin/admin-refusals'
import { useAdminCall } from '../../admin/use-admin-call'
import { apiPaths } from '../../api/api-paths'
import { useDocumentTitle } from '../../components/route-focus'

const tools = [
  {
    href: apiPaths.tools.swagger,
    name: 'Swagger UI',
    what: 'every app’s REST API, merged into one OpenAPI document',
  },
  {
    href: apiPaths.tools.bullBoard,
    name: 'Bull Board',
    what: 'every BullMQ queue, dead-letter queues included',
  },
]

/**
 * The admin tools are the gateway's pages, opened in a new tab: a browser cannot send the bearer
 * token when it opens a page, so the gateway's admin session (a cookie scoped to the tools' paths)
 * is set from the token first (docs/gateway.md).
 */
function ToolLink(props: { href: string; name: string }) {
  const call = useAdminCall()
  const [error, setError] = useState<string | undefined>()
  const open = async (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault()
    setError(undefined)
    try {
      await call((token) => adminApi.openTools(token))
      const tab = window.open(props.href, '_blank')
      if (tab) tab.opener = null
      else window.location.assign(props.href)
    } catch (failure) {
      setError(`Could not open ${props.name}: ${adminRefusal(failure)}`)
    }
  }
  return (
    <>
      <a href={props.href} target="_blank" rel="noopener" onClick={(event) => void open(event)}>
        Open {props.name}
      </a>
      {error && (
        <span className="field-error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </>
  )
}

export function AdminHomePage() {
  useDocumentTitle('Administration')
  return (
    <>
      <h1>Administration</h1>
      <ul className="admin-overview">
        <li>
          <Link to="/manage/books">Books</Link>: add, edit, price, stock, delete.
        </li>
        <li>
          <Link to="/manage/orders">Orders</Link>: every shopper's, by state; ship, deliver, cancel.
        </li>
        <li>
          <Link to="/manage/dead-letters">Dead letters</Link>: the persistence and e-mail jobs that failed for
          good; replay or discard them.
        </li>
      </ul>
      <h2>Tools</h2>
      <ul className="admin-tools">
        {tools.map((tool) => (
          <li key={tool.href}>
            <ToolLink href={tool.href} name={tool.name} /> ({tool.href}): {tool.what}.
          </li>
        ))}
      </ul>
    </>
  )
}
