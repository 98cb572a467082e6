import { XMLBuilder } from 'fast-xml-parser';
import { isIP } from 'node:net';
import type { AuditEvent } from './audit-event';

/** What identifies this archive as the audit source and as the participant that is not the actor. */
export interface AuditSource {
  /**
   * PACS_NODE_ID of the sending node (the host name and HTTP port unless set): the
   * AuditSourceID of an event recorded before events named their node (source null).
   */
  sourceId: string;
  /** Our AE title (the participant a DIMSE peer talked to). */
  aeTitle: string;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: true, suppressBooleanAttributes: false });

type Attributes = Record<string, string | number | boolean | undefined>;

/** PS3.15 A.5.1 coded value: csd-code, codeSystemName, originalText. */
function coded(code: string, system: string, text: string): Attributes {
  return { '@csd-code': code, '@codeSystemName': system, '@originalText': text };
}

function attributes(values: Attributes): Attributes {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [`@${k}`, String(v)]));
}

/**
 * The event as a DICOM Audit Message (PS3.15 A.5.1, the schema IHE ATNA repositories read):
 * EventIdentification with the Event ID (PS3.16 CID 400) and, where the event has one, its Event
 * Type Code; the actor as the requesting ActiveParticipant with its network address, and this
 * archive as the other; AuditSourceIdentification; the patient (RFC 3881 Patient Number) and
 * each study (DCM 110180) as ParticipantObjectIdentification. The chain position (id, hash)
 * goes along as ParticipantObjectDetail of the first object; an event concerning no patient or
 * study (a login, a peer change) names itself instead, so that every message carries its chain.
 */
export function auditMessageXml(event: AuditEvent, source: AuditSource): string {
  // The node that recorded the event is its audit source and the archive the actor talked to
  // (PS3.15 A.5.1), not the node that happens to forward it.
  const recorder = { ...source, sourceId: event.source ?? source.sourceId };
  const eventType = event.details.eventType as { code?: string; name?: string } | undefined;
  const identification = {
    ...attributes({ EventActionCode: event.actionCode, EventDateTime: event.time, EventOutcomeIndicator: event.outcome }),
    EventID: coded(event.action, 'DCM', event.actionName),
    ...(eventType?.code ? { EventTypeCode: coded(eventType.code, 'DCM', eventType.name ?? eventType.code) } : {}),
  };
  const chain = [
    { '@type': 'AuditEventId', '@value': Buffer.from(String(event.id)).toString('base64') },
    ...(event.hash ? [{ '@type': 'AuditChainHash', '@value': Buffer.from(event.hash).toString('base64') }] : []),
  ];
  const objects = participantObjects(event);
  if (objects.length === 0) objects.push(auditRecord(event));
  objects[0].ParticipantObjectDetail = chain;
  const message = {
    AuditMessage: {
      EventIdentification: identification,
      ActiveParticipant: [actor(event), archive(recorder, event.actorType === 'ae')],
      AuditSourceIdentification: attributes({ AuditSourceID: recorder.sourceId }),
      ParticipantObjectIdentification: objects,
    },
  };
  return builder.build(message) as string;
}

function actor(event: AuditEvent): Record<string, unknown> {
  const address = event.sourceAddress ?? undefined;
  return attributes({
    UserID: event.actor || (event.actorType === 'anonymous' ? 'anonymous' : 'unknown'),
    // PS3.15 A.5.1: AE titles of DIMSE peers go in AlternativeUserID as AETITLES=...
    AlternativeUserID: event.actorType === 'ae' && event.actor ? `AETITLES=${event.actor}` : undefined,
    UserIsRequestor: true,
    NetworkAccessPointID: address,
    // 1: machine name, 2: IP address.
    NetworkAccessPointTypeCode: address ? (isIP(address) ? 2 : 1) : undefined,
  });
}

function archive(source: AuditSource, dimse: boolean): Record<string, unknown> {
  return attributes({
    UserID: source.aeTitle,
    AlternativeUserID: dimse ? `AETITLES=${source.aeTitle}` : undefined,
    UserIsRequestor: false,
    NetworkAccessPointID: source.sourceId,
    NetworkAccessPointTypeCode: 1,
  });
}

function participantObjects(event: AuditEvent): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  if (event.patientId) {
    objects.push({
      // Type 1 person, role 1 patient.
      ...attributes({ ParticipantObjectID: event.patientId, ParticipantObjectTypeCode: 1, ParticipantObjectTypeCodeRole: 1 }),
      ParticipantObjectIDTypeCode: coded('2', 'RFC-3881', 'Patient Number'),
    });
  }
  for (const study of event.studyUids) {
    objects.push({
      // Type 2 system object, role 3 report (the study), as PS3.15 A.5.3 has it.
      ...attributes({ ParticipantObjectID: study, ParticipantObjectTypeCode: 2, ParticipantObjectTypeCodeRole: 3 }),
      ParticipantObjectIDTypeCode: coded('110180', 'DCM', 'Study Instance UID'),
    });
  }
  return objects;
}

/**
 * The audit record itself (type 2 system object, role 13 security resource, RFC 3881), for an
 * event that concerns no patient or study. Its ID type is a private code (PS3.16 8.2: a coding
 * scheme designator starting with 99).
 */
function auditRecord(event: AuditEvent): Record<string, unknown> {
  return {
    ...attributes({ ParticipantObjectID: String(event.id), ParticipantObjectTypeCode: 2, ParticipantObjectTypeCodeRole: 13 }),
    ParticipantObjectIDTypeCode: coded('AUDIT-EVENT', '99PACS', 'Audit event number'),
  };
}
