import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { conflict, servicePlugin } from '../src'

async function appThatThrows(error: Error) {
  const app = Fastify({ logger: false })
  await app.register(servicePlugin, { serviceName: 'test', description: 'test' })
  app.get('/boom', async () => {
    throw error
  })
  return app
}

describe('one error handler', () => {
  it('answers typed errors with their status, code and details', async () => {
    const app = await appThatThrows(conflict('CART_OUT_OF_STOCK', 'Not enough copies', { available: 2 }))
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
