import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStorageSopClass, STORAGE_SOP_CLASSES, VERIFICATION_SOP_CLASS } from './sop-classes';
import { isEncapsulatedTransferSyntax, SUPPORTED_TRANSFER_SYNTAXES, TransferSyntax } from './transfer-syntax';
import { isValidUid } from './uid';

describe('storage SOP classes (PS3.4 Annex B)', () => {
  it('holds valid UIDs, including recent classes', () => {
    for (const uid of Object.keys(STORAGE_SOP_CLASSES)) assert.ok(isValidUid(uid), uid);
    for (const uid of ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.13.1.3', '1.2.840.10008.5.1.4.1.1.77.1.6', '1.2.840.10008.5.1.4.1.1.104.3', '1.2.840.10008.5.1.4.1.1.481.5']) {
      assert.ok(isStorageSopClass(uid), uid);
    }
  });

  it('excludes verification, query/retrieve, worklist and MPPS classes', () => {
    for (const uid of [VERIFICATION_SOP_CLASS, '1.2.840.10008.5.1.4.1.2.2.1', '1.2.840.10008.5.1.4.31', '1.2.840.10008.3.1.2.3.3', '1.2.840.10008.5.1.4.1.1.200.4']) {
      assert.equal(isStorageSopClass(uid), false, uid);
    }
  });
});

describe('transfer syntaxes (PS3.5 10)', () => {
  it('prefers explicit VR little endian, then implicit', () => {
    assert.deepEqual(SUPPORTED_TRANSFER_SYNTAXES.slice(0, 2), [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian]);
    assert.equal(new Set(SUPPORTED_TRANSFER_SYNTAXES).size, Object.keys(TransferSyntax).length);
  });

  it('tells encapsulated from native syntaxes', () => {
    assert.equal(isEncapsulatedTransferSyntax(TransferSyntax.DeflatedExplicitVRLittleEndian), false);
    assert.equal(isEncapsulatedTransferSyntax(TransferSyntax.ExplicitVRBigEndian), false);
    assert.equal(isEncapsulatedTransferSyntax(TransferSyntax.JPEGBaseline8Bit), true);
    assert.equal(isEncapsulatedTransferSyntax(TransferSyntax.HTJ2K), true);
  });
});
