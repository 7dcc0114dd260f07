/**
 * Anthropic's SSE framing: every event has an `event:` line naming its type and one JSON `data:`
 * line (`event: message_start\ndata: {"type":"message_start",…}\n\n`). Frames are returned as text
 * for the server's SSE writer to send (`SseWriter.writeFrames`).
 */

/** Frames an event object; its `type` is the event name. */
export function frameEvent<Event extends { type: string }>(data: Event): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Frames an event whose data is already JSON text (a relayed upstream event), unchanged. */
export function frameEventText(name: string, data: string): string {
  // SSE joins a multi-line data field with newlines; each line needs its own `data:` prefix.
  if (data.includes('\n')) return `event: ${name}\ndata: ${data.split('\n').join('\ndata: ')}\n\n`;
  return `event: ${name}\ndata: ${data}\n\n`;
}
