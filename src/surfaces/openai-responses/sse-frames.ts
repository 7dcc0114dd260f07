/**
 * One Responses stream event as SSE text: `event: <type>` then one `data:` line. The Responses
 * API names every event twice (the SSE `event:` field and the JSON `type`), and clients read either.
 * JSON.stringify escapes newlines, so the data always fits one line.
 */
import type { ResponseStreamEvent } from './response-types.js';

export function frameEvent(event: ResponseStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
