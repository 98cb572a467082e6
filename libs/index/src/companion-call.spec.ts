import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { companionCall, companionFunction } from './companion-call';

describe('companion call', () => {
  const companion = { sqlFunction: 'audit_stage', payload: () => undefined, committed: () => undefined };

  it('is made only when there is a companion and a payload', () => {
    assert.deepEqual(companionCall(companion, { e: 1 }), { sqlFunction: 'audit_stage', payload: { e: 1 } });
    assert.equal(companionCall(companion, undefined), undefined);
    assert.equal(companionCall(undefined, { e: 1 }), undefined);
  });

  it('lets only a plain identifier into SQL text', () => {
    assert.equal(companionFunction({ sqlFunction: 'audit_stage', payload: {} }), 'audit_stage');
    assert.throws(() => companionFunction({ sqlFunction: 'audit_stage($1); DROP TABLE x; --', payload: {} }), /invalid companion function/);
  });
});
