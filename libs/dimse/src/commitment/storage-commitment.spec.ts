import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredInstance } from '@pacs/index';
import { DimseFailure } from '../providers/dimse-providers';
import { withScpRole } from '../wire/role-selection';
import { commitmentReport, parseCommitmentRequest } from './storage-commitment';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';

function stored(sopInstanceUid: string, sopClassUid: string): StoredInstance {
  return { studyUid: '1.2', seriesUid: '1.2.3', sopInstanceUid, sopClassUid, transferSyntaxUid: '1.2.840.10008.1.2.1', blobKey: 'k', sizeBytes: 1 };
}

function statusOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof DimseFailure, String(err));
    return err.status;
  }
  return undefined;
}

describe('Storage Commitment request (PS3.4 J.3.2.1.1)', () => {
  const item = { ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2.3.4' };

  it('reads the Transaction UID and each reference', () => {
    const parsed = parseCommitmentRequest({ TransactionUID: '1.9.8', ReferencedSOPSequence: [item, { ...item, ReferencedSOPInstanceUID: '1.2.3.5\0' }] });
    assert.deepEqual(parsed, {
      transactionUid: '1.9.8',
      references: [
        { sopClassUid: CT, sopInstanceUid: '1.2.3.4' },
        { sopClassUid: CT, sopInstanceUid: '1.2.3.5' },
      ],
    });
  });

  it('refuses a request without a usable Transaction UID or references, naming the attribute', () => {
    assert.equal(statusOf(() => parseCommitmentRequest({ ReferencedSOPSequence: [item] })), 0x0120);
    assert.equal(statusOf(() => parseCommitmentRequest({ TransactionUID: 'not a uid', ReferencedSOPSequence: [item] })), 0x0106);
    assert.equal(statusOf(() => parseCommitmentRequest({ TransactionUID: '1.9', ReferencedSOPSequence: [] })), 0x0120);
    assert.equal(statusOf(() => parseCommitmentRequest({ TransactionUID: '1.9', ReferencedSOPSequence: [{ ReferencedSOPClassUID: CT }] })), 0x0106);
    assert.throws(() => parseCommitmentRequest({ TransactionUID: '1.9' }), /Referenced SOP Sequence/);
  });
});

describe('Storage Commitment result (PS3.4 J.3.3.1)', () => {
  const request = {
    transactionUid: '1.9.8',
    references: [
      { sopClassUid: CT, sopInstanceUid: '1.1' },
      { sopClassUid: CT, sopInstanceUid: '1.2' },
      { sopClassUid: CT, sopInstanceUid: '1.3' },
    ],
  };

  it('commits every reference that is stored with its class: event type 1, no Failed SOP Sequence', () => {
    const report = commitmentReport(request, [stored('1.1', CT), stored('1.2', CT), stored('1.3', CT)], 'PACS');
    assert.equal(report.eventTypeId, 1);
    assert.equal(report.attributes.TransactionUID, '1.9.8');
    assert.equal((report.attributes.ReferencedSOPSequence as unknown[]).length, 3);
    assert.equal(report.attributes.FailedSOPSequence, undefined);
  });

  it('fails a missing instance with 0112 and one stored under another class with 0119: event type 2', () => {
    const report = commitmentReport(request, [stored('1.1', CT), stored('1.3', MR)], 'PACS');
    assert.equal(report.eventTypeId, 2);
    assert.deepEqual(report.attributes.ReferencedSOPSequence, [{ ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.1', RetrieveAETitle: 'PACS' }]);
    assert.deepEqual(report.attributes.FailedSOPSequence, [
      { ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2', FailureReason: 0x0112 },
      { ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.3', FailureReason: 0x0119 },
    ]);
    assert.deepEqual([report.committed, report.failed], [1, 2]);
  });

  it('leaves the Referenced SOP Sequence out when nothing is committed', () => {
    const report = commitmentReport(request, [], 'PACS');
    assert.equal(report.attributes.ReferencedSOPSequence, undefined);
    assert.equal((report.attributes.FailedSOPSequence as unknown[]).length, 3);
  });
});

describe('SCP/SCU Role Selection in the A-ASSOCIATE-RQ (PS3.7 D.3.3.4)', () => {
  /** A minimal A-ASSOCIATE-RQ: fixed header, one application context item, a user information item. */
  function associateRq(userInfo: Buffer): Buffer {
    const appContext = Buffer.concat([Buffer.from([0x10, 0, 0, 3]), Buffer.from('1.2')]);
    const user = Buffer.concat([Buffer.from([0x50, 0, 0, userInfo.length]), userInfo]);
    const header = Buffer.alloc(74);
    header[0] = 0x01;
    header.writeUInt32BE(68 + appContext.length + user.length, 2);
    return Buffer.concat([header, appContext, user]);
  }

  it('appends an item with SCU role 0 and SCP role 1 to the user information, and fixes both lengths', () => {
    const maxLength = Buffer.from([0x51, 0, 0, 4, 0, 1, 0, 0]);
    const out = withScpRole(associateRq(maxLength), '1.2.840.10008.1.20.1');
    const uid = '1.2.840.10008.1.20.1';
    assert.equal(out.readUInt32BE(2), out.length - 6);
    const user = 74 + 7;
    assert.equal(out[user], 0x50);
    assert.equal(out.readUInt16BE(user + 2), maxLength.length + 8 + uid.length);
    const role = user + 4 + maxLength.length;
    assert.equal(out[role], 0x54);
    assert.equal(out.readUInt16BE(role + 2), 4 + uid.length);
    assert.equal(out.readUInt16BE(role + 4), uid.length);
    assert.equal(out.toString('latin1', role + 6, role + 6 + uid.length), uid);
    assert.deepEqual([out[role + 6 + uid.length], out[role + 7 + uid.length]], [0, 1]);
    assert.equal(out.length, role + 8 + uid.length);
  });

  it('leaves any other PDU as it is', () => {
    const pdata = Buffer.from([0x04, 0, 0, 0, 0, 2, 1, 2]);
    assert.equal(withScpRole(pdata, '1.2'), pdata);
  });
});
