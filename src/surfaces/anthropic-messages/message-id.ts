/**
 * Message ids in Anthropic's shape (`msg_…`). An upstream id that already is one (an Anthropic
 * deployment behind a route) is kept, so the client's id matches the upstream's logs.
 */
import { randomUUID } from 'node:crypto';

export function messageIdFor(upstreamId: string | undefined): string {
  if (upstreamId && upstreamId.startsWith('msg_')) return upstreamId;
  return `msg_${randomUUID().replaceAll('-', '')}`;
}
