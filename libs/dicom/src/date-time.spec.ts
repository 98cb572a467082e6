import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDicomDate, isDicomDateTime, isDicomTime } from './date-time';

describe('DA, TM and DT values (PS3.5 6.2)', () => {
  it('takes real calendar dates only', () => {
    for (const ok of ['20200229', '19991231', '00990101']) assert.equal(isDicomDate(ok), true, ok);
    for (const bad of ['20200231', '20210229', '20201301', '2020-01-01', '2020.01.01', 'garbage', '2020', '202001011']) assert.equal(isDicomDate(bad), false, bad);
  });

  it('takes HH, HHMM, HHMMSS and fractions, a leap second included', () => {
    for (const ok of ['07', '0930', '235960', '101010.5', '101010.123456']) assert.equal(isDicomTime(ok), true, ok);
    for (const bad of ['24', '0960', '101061', '101010.1234567', '10:10', '1', '']) assert.equal(isDicomTime(bad), false, bad);
  });

  it('takes date-times from the year alone to fractions, with a UTC offset', () => {
    for (const ok of ['2020', '202002', '20200229', '2020022913', '20200229133000.25', '20200229133000+0100', '2020-0500']) {
      assert.equal(isDicomDateTime(ok), true, ok);
    }
    for (const bad of ['20201301', '20200230', '2020022925', '20200229+1500', '202002291', '20200101-', 'garbage']) assert.equal(isDicomDateTime(bad), false, bad);
  });
});
