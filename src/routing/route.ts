/**
 * The contract of a route: a name clients send as `model` that runs a strategy to decide which
 * configured model answers. Simple strategies pick one model; cascade and pipeline make
 * several calls. Either way the route fills in the record's route fields.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ChatExecutor, CompletedCall, StartedStream } from '../execution/chat-executor.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import type { DispatchContext } from '../reliability/dispatcher.js';
import type { RequestRecord } from '../storage/request-record.js';

export interface RouteRunContext {
  executor: ChatExecutor;
  dispatch: DispatchContext;
  record: RequestRecord;
  httpHeaders: IncomingHttpHeaders;
}

export type RouteResult =
  | { kind: 'completed'; call: CompletedCall; extraCost: number; headers: Record<string, string> }
  | { kind: 'stream'; stream: StartedStream; extraCost: number; headers: Record<string, string> };

export interface Route {
  readonly name: string;
  readonly strategy: string;
  /** The cheap and the flagship model of this route, when it has them (degradation, savings). */
  readonly weakModel?: string;
  readonly strongModel?: string;
  run(request: ChatCompletionRequest, context: RouteRunContext): Promise<RouteResult>;
}
