import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PacsConfig } from '@pacs/config';
import { DeidService } from '@pacs/deid';
import { buildInstance } from '../../../../test/support/generator';
import { deidentifiedMove } from './deidentified-move';
import { storedInstance } from './stored-instance.test-helper';

const deid = new DeidService({ deid: { secret: 'move-secret-0123456789' } } as PacsConfig);
const profile = { profile: 'basic' as const, options: [] };

describe('C-MOVE to a peer registered with deidentify', () => {
  it('offers the instances under their pseudonym UIDs and sends de-identified bytes', async () => {
    const built = buildInstance({ patientName: 'DOE^JANE' });
    const stored = { ...storedInstance(1, built.bytes.length), studyUid: built.studyUid, seriesUid: built.seriesUid, sopInstanceUid: built.sopInstanceUid };
    const move = deidentifiedMove([stored], async () => built.bytes, deid, profile);
    const keys = deid.keys();
    assert.deepEqual(move.instances[0], { ...stored, studyUid: keys.uid(built.studyUid), seriesUid: keys.uid(built.seriesUid), sopInstanceUid: keys.uid(built.sopInstanceUid) });
    const bytes = await move.load(move.instances[0], Buffer.alloc(0));
    assert.ok(bytes.includes(Buffer.from(keys.uid(built.sopInstanceUid))));
    assert.ok(!bytes.includes(Buffer.from('DOE^JANE')));
    assert.equal(move.original(keys.uid(built.sopInstanceUid)), built.sopInstanceUid, 'the Failed SOP Instance UID List names what was asked for');
  });

  it('fails a sub-operation whose copy cannot be made (burned-in annotation), not the others', async () => {
    const burned = buildInstance({ extra: { BurnedInAnnotation: 'YES' } });
    const move = deidentifiedMove([storedInstance(1)], async () => burned.bytes, deid, profile);
    await assert.rejects(move.load(move.instances[0], Buffer.alloc(0)), /Burned In Annotation/);
  });

  it('refuses the whole C-MOVE when there is no secret', () => {
    const none = new DeidService({ deid: { secret: null } } as PacsConfig);
    assert.throws(() => deidentifiedMove([storedInstance(1)], async () => Buffer.alloc(0), none, profile), /PACS_DEID_SECRET/);
    assert.throws(() => deidentifiedMove([storedInstance(1)], async () => Buffer.alloc(0), undefined, profile), /not available/);
  });
});
