import type { Static, TSchema } from 'typebox'
import { Check } from 'typebox/value'
import { ApiError, apiErrorOf, networkError } from './api-error'

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Sent as JSON. */
  body?: unknown
  /** The access token, sent as `Authorization: Bearer`. */
  token?: string
  headers?: Record<string, string>
  signal?: AbortSignal
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let response: Response
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      ...(options.signal && { signal: options.signal }),
    })
  } catch (error) {
    if (options.signal?.aborted) throw error
    throw networkError()
  }
  if (!response.ok) throw await apiErrorOf(response)
  return response
}

/**
 * One request to the shop's API: JSON both ways, same-origin cookies, the app's error body turned
 * into an ApiError, and the answer checked against its schema from packages/events (the same one
 * the app answers with), so the page never works on a shape it does not know.
 */
export async function requestJson<S extends TSchema>(
  schema: S,
  path: string,
  options: RequestOptions = {},
): Promise<Static<S>> {
  const response = await send(path, options)
  const body: unknown = await response.json().catch(() => undefined)
  if (!Check(schema, body))
    throw new ApiError(502, 'INVALID_RESPONSE', 'The shop answered with something unexpected')
  return body
}

/** A request whose success has no body (204). */
export async function requestNoContent(path: string, options: RequestOptions = {}): Promise<void> {
  const response = await send(path, options)
  await response.body?.cancel()
}
