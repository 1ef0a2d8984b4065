import type { RawData } from 'ws';
import { isRecord } from '../../json.js';
import { rawDataToString } from '../../rippled/request-connection.js';
import { COMMANDS, type CommandContext } from './commands.js';
import { RpcFailure, rpcError } from './rpc-errors.js';

type Json = Record<string, unknown>;

/** A parsed request, or rippled's reply to one it could not parse. */
export type ParsedRequest =
  | { readonly request: Json; readonly command: string | undefined }
  | { readonly invalid: Json };

/**
 * ServerHandler::onWSMessage: a request over the size limit, unparsable, or not an object gets
 * `{error: "jsonInvalid", type: "error", value: <the text>}` with no id.
 */
export function parseRequest(data: RawData, maxRequestBytes: number): ParsedRequest {
  const text = rawDataToString(data);
  let request: unknown;
  try {
    request = Buffer.byteLength(text) > maxRequestBytes ? undefined : JSON.parse(text);
  } catch {
    request = undefined;
  }
  if (!isRecord(request)) return { invalid: { error: 'jsonInvalid', type: 'error', value: text } };
  return { request, command: typeof request.command === 'string' ? request.command : undefined };
}

/**
 * ServerHandler::processSession: runs the command and wraps its result or error. Errors carry the
 * request; id and api_version are echoed when the request had them; `warning: "load"` on success.
 */
export function respond(
  request: Json,
  command: string | undefined,
  context: Omit<CommandContext, 'apiVersion'>,
  loadWarning: boolean,
): Json {
  const echo: Json = {};
  if ('id' in request) echo.id = request.id;
  if ('api_version' in request) echo.api_version = request.api_version;
  const apiVersion = request.api_version ?? 1;
  if (apiVersion !== 1 && apiVersion !== 2) {
    return { ...echo, error: 'invalid_API_version', request, status: 'error', type: 'response' };
  }
  if (command === undefined)
    return { ...echo, error: 'missingCommand', request, status: 'error', type: 'response' };
  try {
    const handler = COMMANDS[command];
    if (!handler) throw rpcError('unknownCmd');
    const result = handler(request, { ...context, apiVersion });
    return {
      ...echo,
      result,
      status: 'success',
      type: 'response',
      ...(loadWarning ? { warning: 'load' } : {}),
    };
  } catch (error) {
    // Like processSession's catch: an unexpected exception in a handler becomes rpcINTERNAL.
    const body =
      error instanceof RpcFailure
        ? error.body
        : { error: 'internal', error_code: 73, error_message: 'Internal error.' };
    return { ...echo, ...body, request, status: 'error', type: 'response' };
  }
}
