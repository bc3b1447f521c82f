import { describe, expect, it } from 'vitest';
import { callErrorKind } from './errors';

describe('callErrorKind', () => {
  it('sorts every code of the signalling contract, and unknown ones as other', () => {
    expect(['bad_sdp', 'not_joined', 'already_joined'].map(callErrorKind)).toEqual(['setup', 'setup', 'setup']);
    expect(['not_in_call', 'call_not_active'].map(callErrorKind)).toEqual(['ended', 'ended']);
    expect(callErrorKind('media_unavailable')).toBe('unavailable');
    expect(callErrorKind('something_new')).toBe('other');
  });
});
