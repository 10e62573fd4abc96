/**
 * Stand-in prompts for the real FreeSWITCH: no sound pack is installed, so every file the daemon plays from the
 * pack (`voicemail/vm-*.wav`, `ivr/…`, `digits/…`, and what mod_say_en plays for `say`) exists as a short 8 kHz
 * tone. A real file keeps FreeSWITCH's playback honest (it opens, plays and ends the file); 150 ms keeps calls
 * quick. `customDir` gets our own prompts' names the same way (the shipped espeak ones last seconds each).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { custom, standard } from '../../../lib/flows/prompts.js'
import { buildWav } from '../freeswitch/wav.js'

const STAND_IN = buildWav(150, 0)

/** Files mod_say_en plays for numbers, dates and times, and the greeting names the daemon records. */
const SAY_FILES = [
  ...Array.from({ length: 20 }, (_, i) => `digits/${i}.wav`),
  ...[20, 30, 40, 50, 60, 70, 80, 90].map((n) => `digits/${n}.wav`),
  'digits/hundred.wav',
  'digits/thousand.wav',
  'digits/million.wav',
  'digits/star.wav',
  'digits/pound.wav',
  ...[
    'a-m',
    'p-m',
    'at',
    'today',
    'yesterday',
    'hours',
    'hour',
    'minutes',
    'minute',
    'seconds',
    'second',
    'oclock',
  ].map((w) => `time/${w}.wav`),
  ...['day-0', 'day-1', 'day-2', 'day-3', 'day-4', 'day-5', 'day-6'].map((d) => `time/${d}.wav`),
  ...Array.from({ length: 12 }, (_, i) => `time/mon-${i}.wav`),
  ...Array.from({ length: 31 }, (_, i) => `digits/h-${i + 1}.wav`),
]

/**
 * Files the operator records for the shipped examples (freeswitch-xml/ivr_menus/voicemaild_main.xml's greetings):
 * without them the IVR's playback fails at once and the menu races through its timeouts.
 */
const OPERATOR_FILES = ['custom/voicemaild-main-menu.wav', 'custom/voicemaild-main-menu-short.wav']

/** `<sounds>/en/us/callie/…` as vanilla's `sound_prefix` expects. Returns the prefix. */
export async function writeStandInSounds(soundsDir: string): Promise<string> {
  const prefix = join(soundsDir, 'en', 'us', 'callie')
  const files = [
    ...Object.values(standard).filter((f) => !f.includes('://')),
    ...SAY_FILES,
    ...OPERATOR_FILES,
  ]
  await Promise.all(
    files.map(async (file) => {
      const path = join(prefix, file)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, STAND_IN)
    }),
  )
  return prefix
}

/** Our own prompts' file names under `<dir>/en/`; returns `dir` (the `prompts.customDir` value). */
export async function writeStandInCustomPrompts(dir: string): Promise<string> {
  await mkdir(join(dir, 'en'), { recursive: true })
  await Promise.all(Object.values(custom).map((file) => writeFile(join(dir, 'en', file), STAND_IN)))
  return dir
}
