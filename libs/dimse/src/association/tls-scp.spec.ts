import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { certificateNames } from './tls-scp';

const socket = (authorized: boolean, cert: Partial<PeerCertificate>) => ({
  authorized,
  getPeerCertificate: () => cert as PeerCertificate,
});

describe('certificateNames (client certificate → calling AE title)', () => {
  it('takes the subject CN and the DNS subjectAltNames of a verified certificate', () => {
    const names = certificateNames(socket(true, { subject: { CN: 'CT1' } as PeerCertificate['subject'], subjectaltname: 'DNS:ct1-alias, IP Address:10.0.0.1' }));
    assert.deepEqual(names, ['CT1', 'ct1-alias']);
  });

  it('yields nothing for an unverified or absent certificate', () => {
    assert.deepEqual(certificateNames(socket(false, { subject: { CN: 'CT1' } as PeerCertificate['subject'] })), []);
    assert.deepEqual(certificateNames(socket(true, {})), []);
  });
});
