// What a `call.error` from the server means to the person in the call. The server's codes
// (calls-protocol: bad_sdp, not_in_call, call_not_active, not_joined, already_joined,
// media_unavailable) are for developers; people get one of four plain sentences, by kind.

/** `setup`: the media could not be negotiated; `ended`: the call is over or not theirs;
 * `unavailable`: the media server cannot take it now; `other`: anything else. */
export type CallErrorKind = 'setup' | 'ended' | 'unavailable' | 'other';

export function callErrorKind(code: string): CallErrorKind {
  switch (code) {
    case 'bad_sdp':
    case 'not_joined':
    case 'already_joined':
      return 'setup';
    case 'not_in_call':
    case 'call_not_active':
      return 'ended';
    case 'media_unavailable':
      return 'unavailable';
    default:
      return 'other';
  }
}
