/**
 * Shared setup for governance tests: a fake OpenAI upstream that spends exactly what it is
 * allowed (completion tokens = max_tokens), priced models, and admin-API helpers.
 */
import OpenAI from 'openai';
import { FakeUpstream, type FakeReply, type FakeRequest } from './fake-upstream.js';
import { openAICompletion } from './openai-replies.js';

export const ADMIN_KEY = 'sb-admin-test-key-0123456789';
export const PROMPT_TOKENS = 12;

/** Upstream whose answers use all of max_tokens after a short random delay, so settlements interleave. */
export function startSpendingUpstream(): Promise<FakeUpstream> {
  return FakeUpstream.start(spendingReply);
}

export function spendingReply(request: FakeRequest): FakeReply {
  return {
    ...openAICompletion({ model: request.body?.model, promptTokens: PROMPT_TOKENS, completionTokens: request.body?.max_tokens ?? 20 }),
    delayMs: 5 + Math.floor(Math.random() * 25),
  } as FakeReply;
}

export function pricedModels(upstreamUrl: string) {
  return [
    { name: 'gpt-4o', provider: 'openai', base_url: `${upstreamUrl}/v1`, api_key: 'sk-upstream', price: { input: 2.5, output: 10 } },
    { name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstreamUrl}/v1`, api_key: 'sk-upstream', price: { input: 0.15, output: 0.6 } },
  ];
}

export async function adminRequest<T = any>(baseUrl: string, method: string, path: string, body?: unknown, adminKey = ADMIN_KEY): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

export async function createKey(baseUrl: string, settings: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const response = await adminRequest<{ id: string; key: string }>(baseUrl, 'POST', '/api/keys', settings);
  if (response.status !== 200) throw new Error(`creating a key failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export function clientFor(baseUrl: string, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey, maxRetries: 0 });
}

/** Runs one small chat call and reports how it ended, instead of throwing. */
export async function tryChat(client: OpenAI, model: string, maxTokens: number, extra: Record<string, unknown> = {}) {
  try {
    const { data, response } = await client.chat.completions.create({ model, max_tokens: maxTokens, messages: [{ role: 'user', content: 'Hello' }], ...extra }).withResponse();
    return { ok: true as const, status: 200, headers: response.headers, completion: data };
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { ok: false as const, status: error.status ?? 0, code: error.code, message: error.message, headers: error.headers as Headers | undefined };
    throw error;
  }
}
