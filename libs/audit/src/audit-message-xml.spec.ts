import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { AuditEventType } from './audit-codes';
import { GENESIS_HASH, normalizeEvent } from './audit-event';
import { auditMessageXml } from './audit-message-xml';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['ActiveParticipant', 'ParticipantObjectIdentification', 'ParticipantObjectDetail'].includes(name) });
/** The forwarding node. */
const source = { sourceId: 'pacs01', aeTitle: 'PACS' };

describe('DICOM Audit Message XML (PS3.15 A.5.1)', () => {
  it('writes a C-STORE event: event identification, both participants, the recording node as source, patient and study', () => {
    const event = {
      ...normalizeEvent(
        { actor: 'CT1', actorType: 'ae', sourceAddress: '10.1.2.3', action: '110104', actionCode: 'C', outcome: 0, patientId: 'P<1>&', studyUids: ['1.2.3', '1.2.4'] },
        GENESIS_HASH,
        'pacs02',
      ),
      id: 42,
    };
    const xml = auditMessageXml(event, source);
    const message = parser.parse(xml).AuditMessage;
    assert.deepEqual(message.EventIdentification, {
      EventActionCode: 'C',
      EventDateTime: event.time,
      EventOutcomeIndicator: '0',
      EventID: { 'csd-code': '110104', codeSystemName: 'DCM', originalText: 'DICOM Instances Transferred' },
    });
    assert.deepEqual(message.ActiveParticipant, [
      { UserID: 'CT1', AlternativeUserID: 'AETITLES=CT1', UserIsRequestor: 'true', NetworkAccessPointID: '10.1.2.3', NetworkAccessPointTypeCode: '2' },
      { UserID: 'PACS', AlternativeUserID: 'AETITLES=PACS', UserIsRequestor: 'false', NetworkAccessPointID: 'pacs02', NetworkAccessPointTypeCode: '1' },
    ]);
    assert.deepEqual(message.AuditSourceIdentification, { AuditSourceID: 'pacs02' }, 'the node that recorded it, not the one forwarding it');
    const [patient, ...studies] = message.ParticipantObjectIdentification;
    assert.equal(patient.ParticipantObjectID, 'P<1>&', 'escaped in the XML, the same value after parsing');
    assert.match(xml, /ParticipantObjectID="P&lt;1&gt;&amp;"/);
    assert.deepEqual([patient.ParticipantObjectTypeCode, patient.ParticipantObjectTypeCodeRole], ['1', '1']);
    assert.deepEqual(patient.ParticipantObjectIDTypeCode, { 'csd-code': '2', codeSystemName: 'RFC-3881', originalText: 'Patient Number' });
    assert.deepEqual(
      patient.ParticipantObjectDetail.map((d: { type: string; value: string }) => [d.type, Buffer.from(d.value, 'base64').toString()]),
      [['AuditEventId', '42'], ['AuditChainHash', event.hash]],
    );
    assert.deepEqual(studies.map((s: { ParticipantObjectID: string }) => s.ParticipantObjectID), ['1.2.3', '1.2.4']);
    assert.deepEqual(studies[0].ParticipantObjectIDTypeCode, { 'csd-code': '110180', codeSystemName: 'DCM', originalText: 'Study Instance UID' });
    assert.deepEqual([studies[0].ParticipantObjectTypeCode, studies[0].ParticipantObjectTypeCodeRole], ['2', '3']);
  });

  it('adds the Event Type Code of a login, and names the audit record itself to carry the chain', () => {
    const event = {
      ...normalizeEvent({ actor: 'ann', actorType: 'user', action: '110114', actionCode: 'E', outcome: 4, details: { eventType: AuditEventType.Login } }, GENESIS_HASH, 'pacs02'),
      id: 7,
    };
    const message = parser.parse(auditMessageXml(event, source)).AuditMessage;
    assert.deepEqual(message.EventIdentification.EventTypeCode, { 'csd-code': '110122', codeSystemName: 'DCM', originalText: 'Login' });
    assert.equal(message.EventIdentification.EventOutcomeIndicator, '4');
    assert.deepEqual(message.ActiveParticipant[0], { UserID: 'ann', UserIsRequestor: 'true' });
    const [record, ...others] = message.ParticipantObjectIdentification;
    assert.deepEqual(others, [], 'no patient or study');
    assert.deepEqual([record.ParticipantObjectID, record.ParticipantObjectTypeCode, record.ParticipantObjectTypeCodeRole], ['7', '2', '13']);
    assert.deepEqual(record.ParticipantObjectIDTypeCode, { 'csd-code': 'AUDIT-EVENT', codeSystemName: '99PACS', originalText: 'Audit event number' });
    assert.deepEqual(
      record.ParticipantObjectDetail.map((d: { type: string; value: string }) => [d.type, Buffer.from(d.value, 'base64').toString()]),
      [['AuditEventId', '7'], ['AuditChainHash', event.hash]],
    );
  });

  it('names the forwarding node as the source of an event recorded before events had one', () => {
    const event = { ...normalizeEvent({ actor: 'ann', actorType: 'user', action: '110114', actionCode: 'E', outcome: 0 }, GENESIS_HASH, null), id: 3 };
    const message = parser.parse(auditMessageXml(event, source)).AuditMessage;
    assert.deepEqual(message.AuditSourceIdentification, { AuditSourceID: 'pacs01' });
    assert.equal(message.ActiveParticipant[1].NetworkAccessPointID, 'pacs01');
  });
});
