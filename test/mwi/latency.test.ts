import t from 'tap'
import { LatencyRecorder } from '../../lib/mwi/latency.js'

void t.test('empty recorder reports zeros', (t) => {
  t.same(new LatencyRecorder().stats(), { count: 0, p50: 0, p99: 0, max: 0 })
  t.end()
})

void t.test('nearest-rank percentiles over the samples', (t) => {
  const r = new LatencyRecorder()
  for (let ms = 1; ms <= 100; ms++) r.record(ms)
  t.same(r.stats(), { count: 100, p50: 50, p99: 99, max: 100 })
  t.end()
})

void t.test('the ring keeps the last `capacity` samples but counts all', (t) => {
  const r = new LatencyRecorder(3)
  for (const ms of [100, 200, 300, 1, 2]) r.record(ms)
  t.same(
    r.values().sort((a, b) => a - b),
    [1, 2, 300],
    'the two oldest were overwritten',
  )
  t.same(r.stats(), { count: 5, p50: 2, p99: 300, max: 300 })
  t.end()
})
