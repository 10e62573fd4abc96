import t from 'tap'
import { entryFromDtmf } from '../../lib/esl/media-results.js'
import { silenceHits } from '../../lib/esl/silence-hits.js'

void t.test('silence hits for seconds of silence on the call’s codec', (t) => {
  t.equal(silenceHits(3, '48000', '8000'), 18, 'Opus with an 8 kHz file: 8000 × 18 / 960 = 150 packets = 3 s')
  t.equal(silenceHits(3, '16000', '8000'), 6, '16 kHz')
  t.equal(silenceHits(3, '8000', '8000'), 3, '8 kHz')
  t.equal(silenceHits(3, '48000', undefined), 3, 'no record_sample_rate: the file has the codec’s rate')
  t.equal(silenceHits(3, undefined, '8000'), 3, 'unknown read rate: taken as 8 kHz')
  t.equal(silenceHits(3, '48000', 'bogus'), 3, 'an invalid file rate is ignored, as FreeSWITCH does')
  t.equal(silenceHits(2, '44100', '8000'), 11, 'rounded')
  t.end()
})

void t.test('a secret entry rebuilt from its DTMF events', (t) => {
  t.equal(entryFromDtmf(['4', '8', '2', '1', '#'], '#', 10), '4821')
  t.equal(entryFromDtmf(['4', '8', '2', '1', '5'], '#', 4), '4821', 'at most max digits')
  t.equal(entryFromDtmf(['#', '1'], '#', 10), '', 'a terminator first is an empty entry')
  t.equal(entryFromDtmf(['1', '*', '2'], '#', 10), '1*2', 'other keys are part of the entry')
  t.equal(entryFromDtmf([], '#', 10), '')
  t.end()
})
