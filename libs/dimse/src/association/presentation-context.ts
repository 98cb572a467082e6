/**
 * Presentation context results of the A-ASSOCIATE-AC, PS3.8 9.3.3.2 Table 9-18:
 * 0 acceptance, 1 user-rejection, 2 no-reason (provider rejection),
 * 3 abstract-syntax-not-supported (provider rejection), 4 transfer-syntaxes-not-supported (provider rejection).
 */
export const ContextResult = {
  Accept: 0,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const;

export interface ContextRules {
  /**
   * The transfer syntaxes we accept for an abstract syntax, or undefined when we do not serve
   * it. Storage takes every syntax we can store as received (never decoded, GOTCHAS); query,
   * worklist and procedure-step services take the uncompressed ones.
   */
  transferSyntaxesFor(abstractSyntaxUid: string): ReadonlySet<string> | undefined;
}

export type ContextChoice =
  | { result: typeof ContextResult.Accept; transferSyntaxUid: string }
  | { result: typeof ContextResult.AbstractSyntaxNotSupported | typeof ContextResult.TransferSyntaxesNotSupported };

/**
 * Decides one proposed presentation context (PS3.8 7.1.1.13): accept the first transfer syntax,
 * in the requester's order of preference, that we support.
 */
export function choosePresentationContext(abstractSyntaxUid: string, proposedTransferSyntaxes: readonly string[], rules: ContextRules): ContextChoice {
  const supported = rules.transferSyntaxesFor(abstractSyntaxUid);
  if (!supported) return { result: ContextResult.AbstractSyntaxNotSupported };
  const chosen = proposedTransferSyntaxes.find((ts) => supported.has(ts));
  if (chosen === undefined) return { result: ContextResult.TransferSyntaxesNotSupported };
  return { result: ContextResult.Accept, transferSyntaxUid: chosen };
}
