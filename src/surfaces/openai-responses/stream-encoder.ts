/**
 * Chat Completions chunks → the Responses API's stream, as SSE text, in the real event order:
 *
 *   response.created, response.in_progress,
 *   per output item: response.output_item.added, then
 *     for a message: response.content_part.added, response.output_text.delta…,
 *                    response.output_text.done, response.content_part.done
 *                    (a refusal the same way with response.refusal.delta / .done)
 *     for a tool call: response.function_call_arguments.delta…, response.function_call_arguments.done
 *   response.output_item.done, and at the end response.completed (or response.incomplete when
 *   the answer was cut by the token limit or a content filter).
 *
 * Every event carries `type` and a `sequence_number` counting from 0. An item is closed when the
 * next one opens, as OpenAI does: text first, then each tool call in turn, which is the order every
 * upstream the gateway speaks to sends them in.
 *
 * A failure after the stream has started ends it with `response.failed` (the response with
 * `status: "failed"`, its `error`, and the output so far) and then an `error` event. The `error`
 * event carries its fields both at the top level (the documented shape) and under `error` (the
 * shape OpenAI sends): the SDKs throw on the latter, so `finalResponse()` rejects with the message
 * instead of resolving to a failed response nobody checks.
 *
 * Example:
 *   const encoder = new ResponseStreamEncoder(decoded.echo);
 *   writer.writeFrames(encoder.start(), …);
 *   for await (const chunk of stream.chunks) writer.writeFrames(encoder.push(chunk), …);
 *   writer.writeFrames(encoder.finish(), …);   // or encoder.fail(error) when the stream broke
 */
import type { ChatCompletionChunk, FinishReason, ToolCallDelta, Usage } from '../../protocol/chat-types.js';
import { buildResponseObject, epochSeconds, statusForFinish } from './response-object.js';
import { newCallId, newResponseId, outputItemId } from './response-ids.js';
import type {
  FunctionCallItem,
  ItemStatus,
  OutputItem,
  OutputMessageItem,
  ResponseEcho,
  ResponseError,
  ResponseObject,
  ResponseStatus,
  ResponseStreamEvent,
  UnnumberedStreamEvent,
} from './response-types.js';
import { frameEvent } from './sse-frames.js';
import { toResponseUsage } from './usage-mapping.js';

/** What a failed stream reports; a GatewayError has this shape. */
export interface StreamFailure {
  message: string;
  code: string | null;
  type: string;
  param?: string | null;
  status?: number;
}

interface OpenMessage {
  kind: 'message';
  item: OutputMessageItem;
  outputIndex: number;
  /** Index in `item.content` of the text part and of the refusal part, once opened. */
  textIndex?: number;
  refusalIndex?: number;
}

interface OpenFunctionCall {
  kind: 'function_call';
  item: FunctionCallItem;
  outputIndex: number;
  /** The tool call's `index` in the Chat chunks. */
  chatIndex: number;
}

type Phase = 'new' | 'streaming' | 'ended';

export class ResponseStreamEncoder {
  readonly id: string;
  private readonly createdAt: number;
  private sequenceNumber = 0;
  private phase: Phase = 'new';
  private readonly output: OutputItem[] = [];
  private open: OpenMessage | OpenFunctionCall | undefined;
  /** Tool calls by their Chat index, so a late argument fragment still reaches its item. */
  private readonly callsByChatIndex = new Map<number, FunctionCallItem>();
  private finishReason: FinishReason | null = null;
  private usage: Usage | undefined;
  private status: ResponseStatus = 'in_progress';
  private incompleteReason: 'max_output_tokens' | 'content_filter' | null = null;
  private failure: ResponseError | null = null;
  private completedAt: number | null = null;
  private frames = '';

  constructor(
    private readonly echo: ResponseEcho,
    options: { id?: string; createdAt?: number } = {},
  ) {
    this.id = options.id ?? newResponseId();
    this.createdAt = options.createdAt ?? epochSeconds();
  }

  /** The response as it stands: in progress, or final once `finish` or `fail` has run. */
  get response(): ResponseObject {
    return buildResponseObject(this.echo, {
      id: this.id,
      createdAt: this.createdAt,
      status: this.status,
      output: this.output,
      usage: this.usage ? toResponseUsage(this.usage) : null,
      error: this.failure,
      incompleteReason: this.incompleteReason,
      completedAt: this.completedAt,
    });
  }

  /** `response.created` and `response.in_progress`. The other calls start the stream themselves when needed. */
  start(): string {
    this.ensureStarted();
    return this.take();
  }

  /** The events one Chat chunk adds. Only the first choice is read: the Responses API has no `n`. */
  push(chunk: ChatCompletionChunk): string {
    if (this.phase === 'ended') return '';
    this.ensureStarted();
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (choice) {
      const { delta } = choice;
      if (typeof delta.content === 'string' && delta.content !== '') this.addText(delta.content);
      if (typeof delta.refusal === 'string' && delta.refusal !== '') this.addRefusal(delta.refusal);
      for (const toolCall of delta.tool_calls ?? []) this.addToolCall(toolCall);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return this.take();
  }

  /**
   * Closes the open item and ends with `response.completed` or `response.incomplete`.
   * `fallbackUsage` is reported when the upstream sent none (the gateway's own count).
   */
  finish(options: { fallbackUsage?: Usage } = {}): string {
    if (this.phase === 'ended') return '';
    this.ensureStarted();
    const { status, incompleteReason } = statusForFinish(this.finishReason);
    // An empty answer is still an (empty) message, as in the non-streaming response.
    if (this.output.length === 0) this.openMessage();
    if (this.open?.kind === 'message' && this.open.textIndex === undefined && this.open.refusalIndex === undefined) this.openTextPart(this.open);
    this.closeOpen(status === 'incomplete' ? 'incomplete' : 'completed');
    this.usage ??= options.fallbackUsage;
    this.status = status;
    this.incompleteReason = incompleteReason;
    this.completedAt = epochSeconds();
    this.phase = 'ended';
    this.emit({ type: status === 'incomplete' ? 'response.incomplete' : 'response.completed', response: this.response });
    return this.take();
  }

  /** Ends a stream that broke after it started: `response.failed`, then an `error` event. */
  fail(error: StreamFailure): string {
    if (this.phase === 'ended') return '';
    this.ensureStarted();
    // The open item stays as far as it got, marked incomplete; no done events follow a failure.
    if (this.open) this.open.item.status = 'incomplete';
    this.open = undefined;
    this.status = 'failed';
    this.failure = { code: error.status === 429 ? 'rate_limit_exceeded' : 'server_error', message: error.message };
    this.phase = 'ended';
    this.emit({ type: 'response.failed', response: this.response });
    const details = { code: error.code, message: error.message, param: error.param ?? null };
    this.emit({ type: 'error', ...details, error: { type: error.type, ...details } });
    return this.take();
  }

  private ensureStarted(): void {
    if (this.phase !== 'new') return;
    this.phase = 'streaming';
    const response = this.response;
    this.emit({ type: 'response.created', response });
    this.emit({ type: 'response.in_progress', response });
  }

  private addText(text: string): void {
    const message = this.open?.kind === 'message' ? this.open : this.openMessage();
    if (message.textIndex === undefined) this.openTextPart(message);
    const part = message.item.content[message.textIndex!] as { text: string };
    part.text += text;
    this.emit({ type: 'response.output_text.delta', item_id: message.item.id, output_index: message.outputIndex, content_index: message.textIndex!, delta: text, logprobs: [] });
  }

  private addRefusal(refusal: string): void {
    const message = this.open?.kind === 'message' ? this.open : this.openMessage();
    if (message.refusalIndex === undefined) {
      message.refusalIndex = message.item.content.length;
      message.item.content.push({ type: 'refusal', refusal: '' });
      this.emit({ type: 'response.content_part.added', item_id: message.item.id, output_index: message.outputIndex, content_index: message.refusalIndex, part: { type: 'refusal', refusal: '' } });
    }
    const part = message.item.content[message.refusalIndex] as { refusal: string };
    part.refusal += refusal;
    this.emit({ type: 'response.refusal.delta', item_id: message.item.id, output_index: message.outputIndex, content_index: message.refusalIndex, delta: refusal });
  }

  private addToolCall(delta: ToolCallDelta): void {
    const open = this.open;
    if (open?.kind === 'function_call' && open.chatIndex === delta.index) {
      this.appendArguments(open, delta.function?.arguments);
      return;
    }
    const earlier = this.callsByChatIndex.get(delta.index);
    if (earlier) {
      // A fragment for a call already closed: no upstream we know sends one, and a done item
      // cannot take more deltas, so it only reaches the final response.
      earlier.arguments += delta.function?.arguments ?? '';
      return;
    }
    this.closeOpen('completed');
    const item: FunctionCallItem = {
      id: outputItemId(this.id, 'fc', this.output.length),
      type: 'function_call',
      status: 'in_progress',
      call_id: delta.id ?? newCallId(),
      name: delta.function?.name ?? '',
      arguments: '',
    };
    const call: OpenFunctionCall = { kind: 'function_call', item, outputIndex: this.output.length, chatIndex: delta.index };
    this.output.push(item);
    this.callsByChatIndex.set(delta.index, item);
    this.open = call;
    this.emit({ type: 'response.output_item.added', output_index: call.outputIndex, item: { ...item } });
    this.appendArguments(call, delta.function?.arguments);
  }

  private appendArguments(call: OpenFunctionCall, fragment: string | undefined): void {
    if (!fragment) return;
    call.item.arguments += fragment;
    this.emit({ type: 'response.function_call_arguments.delta', item_id: call.item.id, output_index: call.outputIndex, delta: fragment });
  }

  private openMessage(): OpenMessage {
    this.closeOpen('completed');
    const item: OutputMessageItem = { id: outputItemId(this.id, 'msg', this.output.length), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const message: OpenMessage = { kind: 'message', item, outputIndex: this.output.length };
    this.output.push(item);
    this.open = message;
    this.emit({ type: 'response.output_item.added', output_index: message.outputIndex, item: { ...item, content: [] } });
    return message;
  }

  private openTextPart(message: OpenMessage): void {
    message.textIndex = message.item.content.length;
    message.item.content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
    this.emit({ type: 'response.content_part.added', item_id: message.item.id, output_index: message.outputIndex, content_index: message.textIndex, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
  }

  private closeOpen(status: ItemStatus): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    open.item.status = status;
    const base = { item_id: open.item.id, output_index: open.outputIndex };
    if (open.kind === 'message') {
      open.item.content.forEach((part, contentIndex) => {
        if (part.type === 'output_text') this.emit({ type: 'response.output_text.done', ...base, content_index: contentIndex, text: part.text, logprobs: [] });
        else this.emit({ type: 'response.refusal.done', ...base, content_index: contentIndex, refusal: part.refusal });
        this.emit({ type: 'response.content_part.done', ...base, content_index: contentIndex, part });
      });
    } else {
      this.emit({ type: 'response.function_call_arguments.done', ...base, name: open.item.name, arguments: open.item.arguments });
    }
    this.emit({ type: 'response.output_item.done', output_index: open.outputIndex, item: open.item });
  }

  /** Frames an event now: the JSON is written at once, so later changes to the items do not leak into it. */
  private emit(event: UnnumberedStreamEvent): void {
    this.frames += frameEvent({ ...event, sequence_number: this.sequenceNumber++ } as ResponseStreamEvent);
  }

  private take(): string {
    const frames = this.frames;
    this.frames = '';
    return frames;
  }
}
