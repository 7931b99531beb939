import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { DomainError, kitError, servicePlugin } from '../src'

async function appThatThrows(error: Error) {
  const app = Fastify({ logger: false })
  await app.register(servicePlugin, {
    serviceName: 'test',
    description: 'test',
    errorStatuses: { CART_OUT_OF_STOCK: 409 },
  })
  app.get('/boom', async () => {
    throw error
  })
  return app
}

describe('one error handler', () => {
  it('answers typed errors with their status, code and details', async () => {
    const app = await appThatThrows(
      new DomainError('CART_OUT_OF_STOCK', 'Not enough copies', { available: 2 }),
    )
    const response = await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-1' } })
    expect(response.statusCode).toBe(409)
    expect(response.json()).toEqual({
      error: { code: 'CART_OUT_OF_STOCK', message: 'Not enough copies', details: { available: 2 } },
      requestId: 'req-1',
    })
    expect(response.headers['x-request-id']).toBe('req-1')
  })

  it('hides the internals of unexpected errors', async () => {
    const app = await appThatThrows(new Error('password=hunter2 at db.internal:5432'))
    const response = await app.inject({ url: '/boom' })
    expect(response.statusCode).toBe(500)
    expect(response.json().error).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side',
    })
    expect(response.body).not.toContain('hunter2')
  })
})

describe('domain errors, mapped by code', () => {
  it('answer the status of their code, and the kit knows its own codes without a table entry', async () => {
    const app = await appThatThrows(kitError('FORBIDDEN', 'This needs the admin role'))
    const response = await app.inject({ url: '/boom' })
    expect(response.statusCode).toBe(403)
    expect(response.json().error).toEqual({ code: 'FORBIDDEN', message: 'This needs the admin role' })
  })

  it('answer a code missing from the table as a 500 that hides the message', async () => {
    const app = await appThatThrows(new DomainError('NOT_IN_THE_TABLE', 'secret detail', { secret: 1 }))
    const response = await app.inject({ url: '/boom' })
    expect(response.statusCode).toBe(500)
    expect(response.json().error).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side',
    })
    expect(response.body).not.toContain('secret')
  })
})
