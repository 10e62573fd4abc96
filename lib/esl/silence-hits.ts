/**
 * The `<silence_hits>` argument of FreeSWITCH's `record` for `seconds` of silence on this call.
 *
 * FreeSWITCH turns the hits into a count of packets of the call's read codec as
 * `fh->samplerate * hits / read_impl.samples_per_packet` (switch_ivr_play_say.c, switch_ivr_record_file_event),
 * where `fh->samplerate` is the *file's* rate (`record_sample_rate`, which we force to 8000 so quota arithmetic
 * holds) and `samples_per_packet` is the codec's (960 for 48 kHz Opus at 20 ms). N hits therefore last
 * N × fileRate / readRate seconds: 3 s of silence became 0.5 s on an Opus call (seen on real FreeSWITCH 1.11: a
 * caller pausing 2 s was cut off and told "too short") and 1.5 s on a 16 kHz one. Passing
 * `seconds × readRate / fileRate` hits makes the silence last `seconds` on every codec.
 *
 * `readRate` is the channel's `read_rate` (the read codec's actual samples per second); `fileRate` its
 * `record_sample_rate`, or the read rate when unset (FreeSWITCH then records at the codec's rate). Unknown or
 * invalid rates count as 8000.
 */
export function silenceHits(seconds: number, readRate?: string, fileRate?: string): number {
  const read = rate(readRate) ?? 8000
  const file = rate(fileRate) ?? read
  return Math.max(1, Math.round((seconds * read) / file))
}

function rate(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{4,6}$/.test(value)) return undefined
  const n = Number(value)
  return n >= 8000 && n <= 192000 ? n : undefined
}
