import { useEffect, useRef } from 'react'
import { useLocation } from 'react-router'

/**
 * A client-side navigation says nothing to a screen reader and leaves focus on the old link: after
 * each one, move focus to the main landmark, where the new page's heading is first (not on the first
 * load, where the browser's own focus handling applies). The landmark, not the heading: a page's
 * heading element may be replaced once its data has loaded, and focus would go with it.
 */
export function RouteFocus() {
  const { pathname } = useLocation()
  const first = useRef(true)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a new page (pathname), not on a new filter
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    document.querySelector<HTMLElement>('main')?.focus()
  }, [pathname])
  return null
}

export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Bookstore` : 'Bookstore'
  }, [title])
}
