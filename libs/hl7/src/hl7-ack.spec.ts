import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hl7Message } from '@medplum/core';
import { buildAck } from './hl7-ack';
import { DEFAULT_DELIMITERS, delimitersOf, escapeValue, unescapeValue } from './hl7-encoding';

const NOW = new Date('2026-12-08T01:02:03Z');

describe('HL7 acknowledgments', () => {
  it('answers AE in the message own delimiters, with MSA-2 its control ID and ERR naming the field', () => {
    const text = 'MSH#@!$%#RIS#HOSP#PACS#RAD#20261208##ORM@O01#CTL42#P#2.5\rPID###P1';
    const d = delimitersOf(text)!;
    const ack = buildAck(Hl7Message.parse(text).header, d, { code: 'AE', text: 'birthDate must be YYYYMMDD@x', error: { code: 102, location: { segment: 'PID', field: 7 } } }, 'PACS', NOW);
    const [msh, msa, err] = ack.split('\r');
    assert.match(msh, /^MSH#@!\$%#PACS#RAD#RIS#HOSP#20261208010203\+0000##ACK@O01@ACK#[0-9a-f]{16}#P#2\.5$/);
    assert.equal(msa, 'MSA#AE#CTL42#birthDate must be YYYYMMDD$S$x');
    assert.equal(err, 'ERR##PID@1@7@1#102@Data type error@HL70357#E####birthDate must be YYYYMMDD$S$x');
  });

  it('answers AR with the default delimiters and an empty MSA-2 when there is no header', () => {
    const ack = buildAck(undefined, DEFAULT_DELIMITERS, { code: 'AR', text: 'no MSH segment' }, 'PACS', NOW);
    assert.match(ack, /^MSH\|\^~\\&\|PACS\|\|\|\|20261208010203\+0000\|\|ACK\|[0-9a-f]{16}\|P\|2\.5\rMSA\|AR\|\|no MSH segment\r$/);
  });

  it('reads the encoding characters and refuses bad ones', () => {
    assert.deepEqual(delimitersOf('MSH|^~\\&|RIS'), DEFAULT_DELIMITERS);
    for (const bad of ['MSH', 'MSH|^~\\', 'MSH|^^\\&|RIS', 'MSH|A~\\&|RIS', 'PID|^~\\&|', 'MSH|^~\\&XRIS']) assert.equal(delimitersOf(bad), null, bad);
  });

  it('escapes and unescapes delimiters in values', () => {
    const value = 'A|B^C&D~E\\F';
    const escaped = escapeValue(value, DEFAULT_DELIMITERS);
    assert.equal(escaped, 'A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F');
    assert.equal(unescapeValue(escaped, DEFAULT_DELIMITERS), value);
  });
});
