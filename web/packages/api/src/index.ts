// @kefu/api: the Kefu server's API types, generated from its OpenAPI document (docs/openapi.json)
// into schema.gen.ts by `npm run generate`. Types only: importing this package adds no bytes to a
// bundle. Every schema is exported under its own name (ConversationView, MessageView, ...).

export type * from './schema.gen';

import type { WsEvent, paths } from './schema.gen';

/** The `type` of a server WebSocket frame. */
export type WsEventType = WsEvent['type'];

/** The frame of one `type`, e.g. `WsEventOf<'offer.created'>['data']` is OfferCreated. */
export type WsEventOf<T extends WsEventType> = Extract<WsEvent, { type: T }>;

/** The JSON body a successful `method` on `path` answers with. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? {
      [S in keyof R]: S extends 200 | 201 ? (R[S] extends { content: { 'application/json': infer B } } ? B : never) : never;
    }[keyof R]
  : never;

/** The JSON request body of `method` on `path`. */
export type RequestOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
