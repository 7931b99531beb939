import { Link } from 'react-router'
import { formatMoney } from '../format/money'

export interface ShownLine {
  bookId: string
  title: string
  unitPriceCents: number
  quantity: number
  lineTotalCents: number
  /** What is wrong with the line (a changed price, short stock), said under its title. */
  hints?: readonly string[]
}

/** The lines of a cart under review or of an order, with their total: a real table (headers read out). */
export function OrderLines(props: {
  lines: readonly ShownLine[]
  totalCents: number
  caption: string
  testId?: string
}) {
  const { lines } = props
  const count = lines.reduce((sum, line) => sum + line.quantity, 0)
  return (
    <table className="order-lines" data-testid={props.testId}>
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Book</th>
          <th scope="col" className="numeric">
            Price
          </th>
          <th scope="col" className="numeric">
            Qty
          </th>
          <th scope="col" className="numeric">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <tr key={line.bookId} data-testid={`line-${line.bookId}`}>
            <th scope="row">
              <Link to={`/books/${encodeURIComponent(line.bookId)}`}>{line.title}</Link>
              {line.hints && line.hints.length > 0 && (
                <ul className="cart-line-hints">
                  {line.hints.map((hint) => (
                    <li key={hint}>{hint}</li>
                  ))}
                </ul>
              )}
            </th>
            <td className="numeric">{formatMoney(line.unitPriceCents)}</td>
            <td className="numeric">{line.quantity}</td>
            <td className="numeric">{formatMoney(line.lineTotalCents)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={2}>
            Total
          </th>
          <td className="numeric">{count}</td>
          <td className="numeric" data-testid="order-lines-total">
            {formatMoney(props.totalCents)}
          </td>
        </tr>
      </tfoot>
    </table>
  )
}
