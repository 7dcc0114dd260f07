/**
 * The official `openai` client wired to an in-process answer instead of a socket: its `fetch`
 * hands each request to `answer`. Encoder tests use it to run the SDK's own parsing (JSON,
 * SSE, the Responses stream accumulator) over what an encoder wrote.
 */
import OpenAI from 'openai';

export interface CapturedRequest {
  url: string;
  method: string;
  body: any;
}

export function openAIClientAnswering(answer: (request: CapturedRequest) => Response | Promise<Response>): OpenAI {
  return new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'http://sdk.test/v1',
    maxRetries: 0,
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      return answer({ url: String(input), method: init?.method ?? 'GET', body });
    },
  });
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** An SSE body written in pieces, the way a socket delivers a stream. */
export function sseResponse(frames: readonly string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}
