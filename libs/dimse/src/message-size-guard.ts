/** C-STORE-RQ (PS3.7 9.3.1.1): its data set streams to a temp blob, bounded by PACS_MAX_INSTANCE_BYTES there. */
const C_STORE_RQ = 0x0001;
const P_DATA_TF = 0x04;
const COMMAND_FIELD_ELEMENT = 0x0100;

export interface MessageLimits {
  /** A command set (PS3.7 E.1): tens to hundreds of bytes in practice. */
  commandBytes: number;
  /** The data set of any message but C-STORE-RQ: a query identifier, an MPPS or a storage commitment. */
  datasetBytes: number;
}

export const MESSAGE_LIMITS: MessageLimits = { commandBytes: 64 * 1024, datasetBytes: 16 * 1024 * 1024 };

/**
 * Follows the PDVs of the P-DATA-TF PDUs of one association (PS3.8 9.3.5.1: item length, context
 * id, message control header: bit 0 command, bit 1 last fragment) and says when a message grows
 * past its limit. dcmjs-dimse gathers a command set, and the data set of every message but
 * C-STORE-RQ, in memory until its last fragment: without a bound, one message could fill the heap.
 */
export class MessageSizeGuard {
  private command: Buffer[] = [];
  private commandBytes = 0;
  private commandField: number | undefined;
  private datasetBytes = 0;

  constructor(private readonly limits: MessageLimits = MESSAGE_LIMITS) {}

  /** Why the association must end, or undefined while the messages stay within their limits. */
  inspect(pdu: Buffer): string | undefined {
    if (pdu[0] !== P_DATA_TF) return undefined;
    for (let at = 6; at + 6 <= pdu.length; ) {
      const itemLength = pdu.readUInt32BE(at);
      const control = pdu[at + 5];
      const fragment = pdu.subarray(at + 6, Math.min(pdu.length, at + 4 + itemLength));
      const why = control & 0x01 ? this.commandFragment(fragment, (control & 0x02) !== 0) : this.datasetFragment(fragment, (control & 0x02) !== 0);
      if (why) return why;
      at += 4 + itemLength;
    }
    return undefined;
  }

  private commandFragment(fragment: Buffer, last: boolean): string | undefined {
    this.commandBytes += fragment.length;
    if (this.commandBytes > this.limits.commandBytes) return `a command set of more than ${this.limits.commandBytes} bytes`;
    this.command.push(fragment);
    if (!last) return undefined;
    this.commandField = commandFieldOf(this.command.length === 1 ? this.command[0] : Buffer.concat(this.command));
    this.command = [];
    this.commandBytes = 0;
    this.datasetBytes = 0;
    return undefined;
  }

  private datasetFragment(fragment: Buffer, last: boolean): string | undefined {
    if (this.commandField === C_STORE_RQ) return undefined;
    this.datasetBytes += fragment.length;
    if (this.datasetBytes > this.limits.datasetBytes) {
      return `a data set of more than ${this.limits.datasetBytes} bytes with command 0x${(this.commandField ?? 0).toString(16).padStart(4, '0')}`;
    }
    if (last) this.datasetBytes = 0;
    return undefined;
  }
}

/** Command Field (0000,0100) of an implicit VR little endian command set (PS3.7 E.1). */
function commandFieldOf(command: Buffer): number | undefined {
  for (let at = 0; at + 8 <= command.length; ) {
    const group = command.readUInt16LE(at);
    const element = command.readUInt16LE(at + 2);
    const length = command.readUInt32LE(at + 4);
    if (group === 0 && element === COMMAND_FIELD_ELEMENT && length === 2 && at + 10 <= command.length) return command.readUInt16LE(at + 8);
    at += 8 + length;
  }
  return undefined;
}
