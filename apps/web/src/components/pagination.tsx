import { Link } from 'react-router'

/** Pages around the current one, with the first and last always reachable. */
export function pageWindow(page: number, totalPages: number, radius = 2): Array<number | 'gap'> {
  const pages: Array<number | 'gap'> = []
  for (let n = 1; n <= totalPages; n++) {
    if (n === 1 || n === totalPages || Math.abs(n - page) <= radius) pages.push(n)
    else if (pages.at(-1) !== 'gap') pages.push('gap')
  }
  return pages
}

/** Real links (each page has its URL): middle-click, back/forward and screen readers all work. */
export function Pagination(props: { page: number; totalPages: number; href: (page: number) => string }) {
  const { page, totalPages, href } = props
  if (totalPages <= 1) return null
  return (
    <nav className="pagination" aria-label="Pages">
      <ul>
        <li>
          {page > 1 ? (
            <Link to={href(page - 1)} rel="prev">
              Previous
            </Link>
          ) : (
            <span aria-disabled="true">Previous</span>
          )}
        </li>
        {pageWindow(page, totalPages).map((entry, index) =>
          entry === 'gap' ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: gaps have no identity but their place
            <li key={`gap-${index}`} aria-hidden="true">
              …
            </li>
          ) : (
            <li key={entry}>
              <Link
                to={href(entry)}
                aria-current={entry === page ? 'page' : undefined}
                aria-label={`Page ${entry}`}
              >
                {entry}
              </Link>
            </li>
          ),
        )}
        <li>
          {page < totalPages ? (
            <Link to={href(page + 1)} rel="next">
              Next
            </Link>
          ) : (
            <span aria-disabled="true">Next</span>
          )}
        </li>
      </ul>
    </nav>
  )
}
