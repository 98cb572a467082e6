import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContextRules, choosePresentationContext } from './presentation-context';

const VERIFICATION = '1.2.840.10008.1.1';
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const PRIVATE_TS = '1.2.3.4.5.6';

const STORAGE_SYNTAXES = new Set([EXPLICIT_LE, IMPLICIT_LE, JPEG_BASELINE]);
const RULES: ContextRules = {
  transferSyntaxesFor: (uid) => (uid === VERIFICATION || uid === CT_IMAGE ? STORAGE_SYNTAXES : undefined),
};

describe('choosePresentationContext (PS3.8 9.3.3.2)', () => {
  it('accepts Verification with implicit VR little endian', () => {
    assert.deepEqual(choosePresentationContext(VERIFICATION, [IMPLICIT_LE], RULES), { result: 0, transferSyntaxUid: IMPLICIT_LE });
  });

  it("takes the requester's first supported transfer syntax, not ours", () => {
    assert.deepEqual(choosePresentationContext(CT_IMAGE, [JPEG_BASELINE, EXPLICIT_LE, IMPLICIT_LE], RULES), { result: 0, transferSyntaxUid: JPEG_BASELINE });
    assert.deepEqual(choosePresentationContext(CT_IMAGE, [IMPLICIT_LE, EXPLICIT_LE], RULES), { result: 0, transferSyntaxUid: IMPLICIT_LE });
  });

  it('skips unsupported transfer syntaxes before a supported one', () => {
    assert.deepEqual(choosePresentationContext(CT_IMAGE, [PRIVATE_TS, EXPLICIT_LE], RULES), { result: 0, transferSyntaxUid: EXPLICIT_LE });
  });

  it('rejects an unsupported abstract syntax with result 3 (abstract-syntax-not-supported)', () => {
    assert.deepEqual(choosePresentationContext(STUDY_ROOT_FIND, [IMPLICIT_LE], RULES), { result: 3 });
  });

  it('rejects when no proposed transfer syntax is supported with result 4 (transfer-syntaxes-not-supported)', () => {
    assert.deepEqual(choosePresentationContext(CT_IMAGE, [PRIVATE_TS], RULES), { result: 4 });
    assert.deepEqual(choosePresentationContext(CT_IMAGE, [], RULES), { result: 4 });
  });
});
