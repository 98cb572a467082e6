// Decoding of text values per Specific Character Set (0008,0005), PS3.3 C.12.1.1.2 and PS3.5 6.1.
// Only SH, LO, ST, LT, PN, UC and UT are affected (PS3.5 6.1.2.3); other text VRs are ASCII.
export type TextDecoderFn = (bytes: Buffer) => string;

const LABELS: Readonly<Record<string, string>> = {
  ISO_IR_100: 'latin1',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  ISO_IR_166: 'windows-874',
  ISO_IR_13: 'shift_jis',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
  // ISO 2022 code extensions (PS3.5 6.1.2.5): approximated by the WHATWG decoder of the same family.
  ISO_2022_IR_87: 'iso-2022-jp',
  ISO_2022_IR_159: 'iso-2022-jp',
  ISO_2022_IR_149: 'euc-kr',
  ISO_2022_IR_58: 'gb18030',
};

const latin1: TextDecoderFn = (bytes) => bytes.toString('latin1');
const utf8: TextDecoderFn = (bytes) => bytes.toString('utf8');
// ESC sequences designating G0/G1 sets (PS3.5 6.1.2.5.3); stripped when decoding with EUC-style decoders.
const ESCAPES = /\x1b[$()][A-Z@)]?[A-Z@]?/g;

/** A decoder for the given Specific Character Set values (default repertoire: ASCII, read as Latin-1). */
export function textDecoderFor(specificCharacterSet: string[]): TextDecoderFn {
  const terms = specificCharacterSet.map((t) => t.trim().replace(/ /g, '_')).filter((t) => t !== '');
  const label = terms.map((t) => LABELS[t]).find((l) => l && l !== 'latin1') ?? 'latin1';
  if (label === 'latin1') return latin1;
  if (label === 'utf-8') return utf8;
  const decoder = new TextDecoder(label);
  if (label === 'iso-2022-jp') return (bytes) => decoder.decode(bytes);
  const hasEscapes = terms.some((t) => t.startsWith('ISO_2022'));
  return hasEscapes
    ? (bytes) => decoder.decode(Buffer.from(bytes.toString('latin1').replace(ESCAPES, ''), 'latin1'))
    : (bytes) => decoder.decode(bytes);
}
