import { describe, expect, expectTypeOf, it } from 'vitest';
import { isCurrent } from '../scripts/generate.mjs';
import type {
  ConversationStatus,
  ConversationView,
  MessagePage,
  RequestOf,
  ResponseOf,
  WsEventOf,
  OfferCreated,
} from './index';

describe('schema.gen.ts', () => {
  it('is what docs/openapi.json generates now (else run `npm run generate -w @kefu/api`)', async () => {
    expect(await isCurrent()).toBe(true);
  });

  // Checked by `tsc --noEmit` (part of `npm test`): the helpers pick the right generated types.
  it('exposes the server types under their schema names', () => {
    expectTypeOf<ConversationView['status']>().toEqualTypeOf<ConversationStatus>();
    expectTypeOf<ResponseOf<'/api/v1/conversations/{id}/messages', 'get'>>().toEqualTypeOf<MessagePage>();
    expectTypeOf<RequestOf<'/api/v1/conversations/{id}/read', 'post'>>().toEqualTypeOf<{ seq: number }>();
    expectTypeOf<WsEventOf<'offer.created'>['data']>().toEqualTypeOf<OfferCreated>();
  });
});
