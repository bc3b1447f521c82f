//! The channel a conversation came in on, as staff read it: 网页 / H5 / App / API.

/** The translated name; an unknown channel (a newer server) shows as sent. */
export function channelLabel(
  t: (key: string) => string,
  te: (key: string) => boolean,
  channel: string | null | undefined,
): string {
  if (!channel) return '';
  const key = `agent.channel.${channel}`;
  return te(key) ? t(key) : channel;
}
