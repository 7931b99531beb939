import { type Database, orderHistory, orderLines, orders, type Transaction, users } from '@bookstore/db'
import type { CancelReason, Order, OrderLine, OrderStatus } from '@bookstore/events'
import { and, asc, count, desc, eq, inArray, isNull, lt, or, type SQL } from 'drizzle-orm'
import { orderNotFound } from './order-errors'
import type { Actor } from './order-transitions'
import { type OrderLineRow, type OrderRow, toOrder } from './order-view'

export interface NewOrder {
  id: string
  userId: string
  idempotencyKey: string
  cartVersion: number
  lines: OrderLine[]
  totalCents: number
  itemCount: number
  reservationExpiresAt: Date
}

/** What a transition writes besides the status: the saga's fields that change with it. */
export type OrderFields = Partial<
  Pick<
    OrderRow,
    | 'reservation'
    | 'payment'
    | 'paymentReference'
    | 'cancelReason'
    | 'refusedLines'
    | 'cartClearedAt'
    | 'emailEnqueuedAt'
  >
>

export interface TransitionInput {
  to: OrderStatus
  actor: Actor
  actorId?: string | undefined
  reason?: CancelReason | string | undefined
  fields?: OrderFields
}

export interface OrderFilter {
  status?: OrderStatus | undefined
  userId?: string | undefined
  page: number
  pageSize: number
}

/** One committed transition: what to publish once the transaction is over. */
export interface Transitioned {
  order: Order
  /** null: the order was just made. */
  from: OrderStatus | null
}

/**
 * Orders in PostgreSQL (SPEC O1, O2). Every status change is a compare-and-set on the status the
 * caller saw, with its history row in the same transaction; callers that act on an order (the
 * saga, cancels, admins) first lock its row (`locked`), so steps of one order never interleave.
 */
export function createOrderStore(db: Database) {
  async function linesOf(
    tx: Pick<Database, 'select'>,
    orderIds: string[],
  ): Promise<Map<string, OrderLineRow[]>> {
    const byOrder = new Map<string, OrderLineRow[]>(orderIds.map((id) => [id, []]))
    if (orderIds.length === 0) return byOrder
    const rows = await tx.select().from(orderLines).where(inArray(orderLines.orderId, orderIds))
    for (const row of rows) byOrder.get(row.orderId)?.push(row)
    return byOrder
  }

  async function view(tx: Pick<Database, 'select'>, row: OrderRow, withHistory = false): Promise<Order> {
    const lines = (await linesOf(tx, [row.id])).get(row.id) ?? []
    const history = withHistory
      ? await tx
          .select()
          .from(orderHistory)
          .where(eq(orderHistory.orderId, row.id))
          .orderBy(asc(orderHistory.id))
      : undefined
    return toOrder(row, lines, history)
  }

  async function page(where: SQL | undefined, filter: Pick<OrderFilter, 'page' | 'pageSize'>) {
    const [rows, [total]] = await Promise.all([
      db
        .select()
        .from(orders)
        .where(where)
        .orderBy(desc(orders.createdAt), desc(orders.id))
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize),
      db.select({ value: count() }).from(orders).where(where),
    ])
    const lines = await linesOf(
      db,
      rows.map((row) => row.id),
    )
    const totalItems = total?.value ?? 0
    return {
      items: rows.map((row) => toOrder(row, lines.get(row.id) ?? [])),
      page: filter.page,
      pageSize: filter.pageSize,
      totalItems,
      totalPages: Math.ceil(totalItems / filter.pageSize),
    }
  }

  return {
    async findByIdempotencyKey(userId: string, key: string): Promise<OrderRow | undefined> {
      const [row] = await db
        .select()
        .from(orders)
        .where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, key)))
      return row
    },

    /**
     * Writes a new pending order with its lines and first history row. Two checkouts with the same
     * key racing: one inserts, the other gets the row the first made (`created: false`).
     */
    async insert(input: NewOrder): Promise<{ row: OrderRow; created: boolean; order?: Order }> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(orders)
          .values({
            id: input.id,
            userId: input.userId,
            idempotencyKey: input.idempotencyKey,
            cartVersion: input.cartVersion,
            status: 'pending',
            totalCents: input.totalCents,
            itemCount: input.itemCount,
            reservationExpiresAt: input.reservationExpiresAt,
          })
          .onConflictDoNothing({ target: [orders.userId, orders.idempotencyKey] })
          .returning()
        if (!row) {
          const [existing] = await tx
            .select()
            .from(orders)
            .where(and(eq(orders.userId, input.userId), eq(orders.idempotencyKey, input.idempotencyKey)))
          if (!existing) throw new Error(`order for key ${input.idempotencyKey} vanished`)
          return { row: existing, created: false }
        }
        const lineRows = await tx
          .insert(orderLines)
          .values(
            input.lines.map((line, position) => ({
              orderId: row.id,
              bookId: line.bookId,
              title: line.title,
              unitPriceCents: line.unitPriceCents,
              quantity: line.quantity,
              position,
            })),
          )
          .returning()
        await tx.insert(orderHistory).values({
          orderId: row.id,
          fromStatus: null,
          toStatus: 'pending',
          actor: 'shopper',
          actorId: input.userId,
        })
        return { row, created: true, order: toOrder(row, lineRows) }
      })
    },

    /** The order with its lines (and history); `userId`: only if it is that shopper's. */
    async get(orderId: string, options: { userId?: string; history?: boolean } = {}): Promise<Order> {
      const [row] = await db.select().from(orders).where(eq(orders.id, orderId))
      if (!row || (options.userId !== undefined && row.userId !== options.userId))
        throw orderNotFound(orderId)
      return view(db, row, options.history ?? false)
    },

    /**
     * The order's lines; inside a locked step pass its transaction: a read on another connection
     * would wait for that transaction on a database that serves one at a time (PGlite).
     */
    lines: async (orderId: string, tx: Pick<Database, 'select'> = db) =>
      (await linesOf(tx, [orderId])).get(orderId) ?? [],

    /** The shopper's account e-mail (auth-api's users, read as the scheduler's reminders do). */
    async accountEmail(tx: Pick<Database, 'select'>, userId: string): Promise<string | undefined> {
      const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
      return user?.email
    },

    /** The after-effects of a confirmation are done (each is idempotent: doing one twice is harmless). */
    async markAfterEffects(orderId: string): Promise<void> {
      const at = new Date()
      await db
        .update(orders)
        .set({ cartClearedAt: at, emailEnqueuedAt: at, updatedAt: at })
        .where(eq(orders.id, orderId))
    },

    list(filter: OrderFilter) {
      const conditions = [
        filter.status ? eq(orders.status, filter.status) : undefined,
        filter.userId ? eq(orders.userId, filter.userId) : undefined,
      ]
      return page(and(...conditions), filter)
    },

    /**
     * Runs `work` in a transaction holding the order's row lock; undefined row: no such order.
     * `published` collects transitions to announce once the transaction has committed.
     */
    async locked<T>(
      orderId: string,
      work: (tx: Transaction, row: OrderRow | undefined, published: Transitioned[]) => Promise<T>,
    ): Promise<{ result: T; published: Transitioned[] }> {
      const published: Transitioned[] = []
      const result = await db.transaction(async (tx) => {
        const [row] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update')
        return work(tx, row, published)
      })
      return { result, published }
    },

    /** Compare-and-set of the status: undefined when the order is no longer in `row.status`. */
    async transition(
      tx: Transaction,
      row: OrderRow,
      input: TransitionInput,
      published: Transitioned[],
    ): Promise<OrderRow | undefined> {
      const [after] = await tx
        .update(orders)
        .set({
          ...input.fields,
          status: input.to,
          revision: row.revision + 1,
          updatedAt: new Date(),
        })
        .where(and(eq(orders.id, row.id), eq(orders.status, row.status), eq(orders.revision, row.revision)))
        .returning()
      if (!after) return undefined
      await tx.insert(orderHistory).values({
        orderId: row.id,
        fromStatus: row.status,
        toStatus: input.to,
        reason: input.reason ?? null,
        actor: input.actor,
        actorId: input.actorId ?? null,
      })
      published.push({ order: await view(tx, after), from: row.status as OrderStatus })
      return after
    },

    /** The saga's own fields (no status change, no history row). */
    async update(tx: Transaction, orderId: string, fields: OrderFields): Promise<OrderRow> {
      const [after] = await tx
        .update(orders)
        .set({ ...fields, updatedAt: new Date() })
        .where(eq(orders.id, orderId))
        .returning()
      if (!after) throw orderNotFound(orderId)
      return after
    },

    /**
     * Orders the sweep looks at: pending ones past their hold, cancelled ones whose compensation
     * is unfinished, confirmed ones whose after-effects are not done, and anything untouched for
     * `staleBefore` that is still mid-saga.
     */
    async sweepCandidates(expiredBefore: Date, staleBefore: Date, limit: number): Promise<string[]> {
      const midSaga = ['requested', 'held', 'committing', 'committed', 'releasing']
      const rows = await db
        .select({ id: orders.id })
        .from(orders)
        .where(
          or(
            and(
              eq(orders.status, 'pending'),
              or(lt(orders.reservationExpiresAt, expiredBefore), lt(orders.updatedAt, staleBefore)),
            ),
            and(
              eq(orders.status, 'cancelled'),
              or(inArray(orders.payment, ['authorized', 'captured']), inArray(orders.reservation, midSaga)),
            ),
            and(
              eq(orders.status, 'confirmed'),
              lt(orders.updatedAt, staleBefore),
              or(isNull(orders.cartClearedAt), isNull(orders.emailEnqueuedAt)),
            ),
          ),
        )
        .orderBy(asc(orders.updatedAt))
        .limit(limit)
      return rows.map((row) => row.id)
    },
  }
}
export type OrderStore = ReturnType<typeof createOrderStore>
