/**
 * `pnpm -s watch-cart --token <jwt> [--url ws://127.0.0.1:3002/ws]`: prints the shopper's cart live,
 * one line per change, and each status change of the shopper's orders, with the typed client
 * (reconnects and resyncs by version like the web shop).
 */
import { parseArgs } from 'node:util'
import { CartNotice, type ServerOrderChanged } from '@bookstore/events'
import { createRealtimeClient, type WebSocketConstructor } from '@bookstore/realtime-client'
import { Check } from 'typebox/value'
import { WebSocket } from 'ws'

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    token: { type: 'string', default: process.env.TOKEN },
    url: { type: 'string', default: 'ws://127.0.0.1:3002/ws' },
  },
})
if (!values.token) {
  process.stderr.write('usage: pnpm -s watch-cart --token <access token> [--url ws://127.0.0.1:3002/ws]\n')
  process.exit(2)
}

const euros = (cents: number) => (cents / 100).toFixed(2)

/** What a catalog change did to a line, in the words the shop would show (SPEC B3-B5). */
function describe(notice: CartNotice): string {
  switch (notice.kind) {
    case 'price-changed':
      return `price of ${notice.title} changed from ${euros(notice.fromCents)} to ${euros(notice.toCents)}`
    case 'title-changed':
      return `"${notice.fromTitle}" is now called "${notice.toTitle}"`
    case 'book-removed':
      return `${notice.title} is no longer sold and left the cart`
    case 'out-of-stock':
      return `${notice.title} is out of stock`
    case 'stock-limited':
      return `only ${notice.availableStock} of ${notice.title} left (${notice.quantity} in the cart)`
    case 'back-in-stock':
      return `${notice.title} is back in stock (${notice.availableStock})`
  }
}
const client = createRealtimeClient({
  url: values.url,
  token: values.token,
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  onStatus: (status, detail) =>
    process.stderr.write(`[${status}]${detail ? ` close ${detail.code} ${detail.reason}` : ''}\n`),
  onCart: (cart, source) => {
    const what = source.kind === 'event' ? source.event.op : 'snapshot'
    const items = cart.items.map((item) => `${item.quantity} x ${item.title} (${item.bookId})`).join(', ')
    process.stdout.write(
      `v${cart.version} ${what}: ${cart.itemCount} items, total ${euros(cart.totalCents)}${items ? ` - ${items}` : ''}\n`,
    )
    if (source.kind === 'event')
      for (const notice of source.event.notices ?? [])
        if (Check(CartNotice, notice)) process.stdout.write(`  ! ${describe(notice)}\n`)
  },
  onOrder: (event) => process.stdout.write(`${describeOrder(event)}\n`),
})
/** One line per order transition (SPEC O2): which order, from what to what, and why it ended. */
function describeOrder(event: ServerOrderChanged): string {
  const { order } = event
  const change = event.from ? `${event.from} -> ${order.status}` : order.status
  const why = order.cancelReason ? ` (${order.cancelReason})` : ''
  const short = order.refusedLines?.map(
    (line) => `${line.bookId}: ${line.available} left of ${line.requested}`,
  )
  return `order ${order.id} ${change}${why}: ${order.itemCount} items, total ${euros(order.totalCents)}${short?.length ? ` - ${short.join(', ')}` : ''}`
}
process.once('SIGINT', () => {
  client.close()
  process.exit(0)
})
