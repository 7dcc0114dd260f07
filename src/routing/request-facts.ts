/**
 * Facts about a chat request that routing decisions read: computed lazily and at most once per
 * request, so a rule list that never asks for the token estimate never pays for it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { estimateTokens, messagesText } from '../cost/token-counter.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import { lastUserText } from './strategies/conversation-text.js';

export class RequestFacts {
  private lastUserText?: string;
  private promptTokens?: number;

  constructor(
    readonly request: ChatCompletionRequest,
    readonly headers: IncomingHttpHeaders,
    readonly keyId: string | null,
  ) {}

  get lastUserMessage(): string {
    this.lastUserText ??= lastUserText(this.request.messages, Number.POSITIVE_INFINITY);
    return this.lastUserText;
  }

  get estimatedPromptTokens(): number {
    this.promptTokens ??= estimateTokens(messagesText(this.request.messages));
    return this.promptTokens;
  }

  get hasImages(): boolean {
    return this.request.messages.some((message) => Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url'));
  }

  get hasTools(): boolean {
    return (this.request.tools?.length ?? 0) > 0;
  }

  get jsonMode(): boolean {
    const type = this.request.response_format?.type;
    return type === 'json_object' || type === 'json_schema';
  }

  /** Tags from `metadata.tags` (comma-separated, as metadata values are strings) and the `x-switchboard-tags` header. */
  get tags(): string[] {
    const fromMetadata = this.request.metadata?.tags ?? '';
    const header = this.headers['x-switchboard-tags'];
    const fromHeader = Array.isArray(header) ? header.join(',') : (header ?? '');
    return `${fromMetadata},${fromHeader}`
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
  }

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }
}
