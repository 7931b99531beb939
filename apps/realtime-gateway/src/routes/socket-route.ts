import { ClientMessage, REALTIME_PATH, RealtimeCloseCode } from '@bookstore/events'
import { DomainError, type TokenVerifier } from '@bookstore/service-kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Check } from 'typebox/value'
import type { RawData, WebSocket } from 'ws'
import {
  accessToken,
  checkOrigin,
  checkProtocol,
  handshakeError,
  offeredProtocols,
  tokenExpiresAt,
} from '../domain/handshake'
import type { Session } from '../domain/realtime-hub'
import { releaseUpgradeRequest } from '../domain/upgrade-release'

export interface SocketRouteOptions {
  verify: TokenVerifier
  allowedOrigins: ReadonlySet<string>
}

const parseClientMessage = (data: RawData): ClientMessage | undefined => {
  try {
    const message: unknown = JSON.parse(data.toString())
    return Check(ClientMessage, message) ? message : undefined
  } catch {
    return undefined
  }
}

/**
 * GET /ws: the shopper's live cart (docs/realtime-protocol.md). Everything is checked before the
 * upgrade (preValidation runs on the HTTP request), so a refused client gets a real HTTP status and
 * error body: 403 foreign Origin, 400 missing subprotocol, 401 token, 429 too many sockets.
 */
export async function socketRoute(app: FastifyInstance, options: SocketRouteOptions) {
  async function admit(request: FastifyRequest) {
    try {
      checkOrigin(request.headers.origin, options.allowedOrigins)
      const offered = offeredProtocols(request.headers['sec-websocket-protocol'])
      checkProtocol(offered)
      request.user = await options.verify(accessToken(offered, request.headers.authorization))
      if (!app.realtime.hasRoomFor(request.user.id))
        throw handshakeError('TOO_MANY_SOCKETS', 'This user has the most sockets allowed open here')
    } catch (error) {
      if (error instanceof DomainError) app.realtimeMetrics.rejected(error.code)
      throw error
    }
  }

  app.get(
    REALTIME_PATH,
    {
      websocket: true,
      preValidation: admit,
      schema: { summary: 'The live cart over WebSocket (subprotocol bookstore.v1)' },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      const offered = offeredProtocols(request.headers['sec-websocket-protocol'])
      const token = accessToken(offered, request.headers.authorization)
      const session: Session | undefined = app.realtime.open(socket, request.user.id, tokenExpiresAt(token))
      if (!session) return
      releaseUpgradeRequest(socket, request.raw, (error) => {
        app.log.warn({ err: error, userId: session.userId }, 'socket error')
        socket.terminate()
      })
      socket.on('close', () => app.realtime.closed(session))
      socket.on('pong', () => {
        session.alive = true
      })
      socket.on('message', (data: RawData) => {
        const message = parseClientMessage(data)
        if (!message) {
          socket.close(RealtimeCloseCode.badMessage, 'not a message of bookstore.v1')
          return
        }
        void app.realtime.hello(session, message.lastVersion)
      })
    },
  )
}
