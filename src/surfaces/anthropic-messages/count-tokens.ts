/**
 * `POST /v1/messages/count_tokens`: `{"input_tokens": N}` for a Messages body, counted locally.
 * Claude Code calls it to decide when to compact its context, so it must answer for every model,
 * Anthropic or not, without an upstream call.
 *
 * It is an estimate. The text (system, messages, tool definitions) is counted with the gateway's
 * tokenizer, OpenAI's o200k (cost/token-counter.ts): exact for OpenAI models, close for others;
 * Claude's own tokenizer is not public and usually counts somewhat more for the same text.
 * What has no text is counted the way Anthropic documents it:
 * - an image: 1,600 tokens, Anthropic's figure for the largest image it keeps (about 1.15
 *   megapixels at width × height / 750), since the gateway does not decode images;
 * - a PDF: 2,000 tokens a page (Anthropic: "1,500 to 3,000 per page", text plus page image), its
 *   pages counted from the `/Type /Page` objects in the file;
 * - tools: Anthropic's tool-use system prompt, 346 tokens (313 when `tool_choice` forces a tool);
 * - each message: 3 tokens of framing, as OpenAI counts.
 * Thinking blocks count only in the last assistant turn: Anthropic drops earlier turns' thinking
 * from the context.
 */
import { countTokens, loadTokenizer } from '../../cost/token-counter.js';
import { parseCountTokensRequest, type ContentBlockParam, type CountTokensRequest, type DocumentBlockParam, type TextBlockParam, type ToolResultBlockParam, type ToolUseBlockParam } from './request-schema.js';

const IMAGE_TOKENS = 1_600;
const PDF_PAGE_TOKENS = 2_000;
const TOOL_SYSTEM_PROMPT_TOKENS = 346;
const FORCED_TOOL_SYSTEM_PROMPT_TOKENS = 313;
const MESSAGE_FRAMING_TOKENS = 3;

/** Validates a count_tokens body (400 on the first invalid field) and counts its input tokens. */
export async function countMessagesTokens(body: unknown): Promise<{ input_tokens: number }> {
  const request = parseCountTokensRequest(body);
  await loadTokenizer();
  return { input_tokens: estimateInputTokens(request) };
}

/**
 * Input tokens of a validated Messages body, synchronously. `count` counts text: the tokenizer by
 * default (exact once it has loaded, about 4 characters a token before), or `estimateTokens` for
 * a translated stream's `message_start`, which must not wait on a long prompt.
 */
export function estimateInputTokens(request: CountTokensRequest, count: (text: string) => number = countTokens): number {
  const counter = new InputCounter(count);
  if (typeof request.system === 'string') counter.text(request.system);
  else for (const block of request.system ?? []) counter.text(block.text);
  const lastAssistant = request.messages.map((message) => message.role).lastIndexOf('assistant');
  request.messages.forEach((message, index) => {
    counter.fixed(MESSAGE_FRAMING_TOKENS);
    if (typeof message.content === 'string') counter.text(message.content);
    else for (const block of message.content) counter.block(block, index === lastAssistant);
  });
  if (request.tools && request.tools.length > 0) {
    const forced = request.tool_choice?.type === 'any' || request.tool_choice?.type === 'tool';
    counter.fixed(forced ? FORCED_TOOL_SYSTEM_PROMPT_TOKENS : TOOL_SYSTEM_PROMPT_TOKENS);
    for (const tool of request.tools) {
      counter.text(`${tool.name}\n${tool.description ?? ''}\n${tool.input_schema ? JSON.stringify(tool.input_schema) : String(tool.type ?? '')}`);
    }
  }
  return counter.total();
}

/** Gathers the text to count in one string (one tokenizer call) and the fixed-size parts beside it. */
class InputCounter {
  private gathered = '';
  private fixedTokens = 0;

  constructor(private readonly count: (text: string) => number) {}

  text(text: string): void {
    this.gathered += text + '\n';
  }

  fixed(tokens: number): void {
    this.fixedTokens += tokens;
  }

  block(block: ContentBlockParam, countThinking: boolean): void {
    switch (block.type) {
      case 'text':
        return this.text((block as TextBlockParam).text);
      case 'image':
        return this.fixed(IMAGE_TOKENS);
      case 'document':
        return this.document(block as DocumentBlockParam, countThinking);
      case 'tool_use': {
        const call = block as ToolUseBlockParam;
        return this.text(`${call.name} ${JSON.stringify(call.input)}`);
      }
      case 'tool_result': {
        const content = (block as ToolResultBlockParam).content;
        if (typeof content === 'string') return this.text(content);
        for (const inner of content ?? []) this.block(inner, countThinking);
        return;
      }
      case 'thinking':
        if (countThinking) this.text(String(block.thinking));
        return;
      default:
        // Redacted thinking is opaque; server tool blocks and newer types carry JSON worth counting.
        if (block.type !== 'redacted_thinking') this.text(JSON.stringify(block));
    }
  }

  private document(block: DocumentBlockParam, countThinking: boolean): void {
    const source = block.source;
    if (source.type === 'text') return this.text(source.data);
    if (source.type === 'content') {
      if (typeof source.content === 'string') return this.text(source.content);
      for (const inner of source.content) this.block(inner, countThinking);
      return;
    }
    if (source.type === 'base64' && source.media_type === 'application/pdf') return this.fixed(PDF_PAGE_TOKENS * pdfPageCount(source.data));
    this.fixed(PDF_PAGE_TOKENS);
  }

  total(): number {
    return this.count(this.gathered) + this.fixedTokens;
  }
}

/** Pages of a base64 PDF: its `/Type /Page` objects (not `/Pages`), at least one. */
export function pdfPageCount(base64: string): number {
  const text = Buffer.from(base64, 'base64').toString('latin1');
  const pages = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return Math.max(1, pages);
}
