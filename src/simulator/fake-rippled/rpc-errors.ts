/** rippled RPC errors the fake can return: token -> [error_code, default message] (ErrorCodes.h/.cpp). */
const ERROR_INFO = {
  actMalformed: [35, 'Account malformed.'],
  actNotFound: [19, 'Account not found.'],
  invalidParams: [31, 'Invalid parameters.'],
  invalidLgrRange: [79, 'Ledger range is invalid.'],
  lgrIdxMalformed: [58, 'Ledger index malformed.'],
  lgrIdxsInvalid: [57, 'Ledger indexes invalid.'],
  lgrNotFound: [21, 'Ledger not found.'],
  lgrNotValidated: [22, 'Ledger not validated.'],
  malformedStream: [71, 'Stream malformed.'],
  notImpl: [74, 'Not implemented.'],
  notSynced: [18, 'Not synced to the network.'],
  txnNotFound: [29, 'Transaction not found.'],
  unknownCmd: [32, 'Unknown method.'],
} as const satisfies Record<string, readonly [number, string]>;

export type RpcErrorToken = keyof typeof ERROR_INFO;

/** The error part of a failed command, merged into the response by the server. */
export interface RpcError {
  readonly error: string;
  readonly error_code?: number;
  readonly error_message?: string;
  readonly [extra: string]: unknown;
}

export class RpcFailure extends Error {
  constructor(readonly body: RpcError) {
    super(body.error);
  }
}

/** Like rippled's rpcError / make_param_error: a token with its code and (default or given) message. */
export function rpcError(
  token: RpcErrorToken,
  message?: string,
  extra: Record<string, unknown> = {},
): RpcFailure {
  const [code, defaultMessage] = ERROR_INFO[token];
  return new RpcFailure({
    error: token,
    error_code: code,
    error_message: message ?? defaultMessage,
    ...extra,
  });
}

/** RPC::invalid_field_error. */
export function invalidField(name: string, type?: string): RpcFailure {
  return rpcError(
    'invalidParams',
    type ? `Invalid field '${name}', not ${type}.` : `Invalid field '${name}'.`,
  );
}

/** RPC::missing_field_error. */
export function missingField(name: string): RpcFailure {
  return rpcError('invalidParams', `Missing field '${name}'.`);
}
