/**
 * The scripted calls both FreeSWITCHes get (see scenario.ts). Box 100 of pbx.test, PIN 4821 (real-side.ts).
 */
import type { Scenario } from './scenario.js'

const deposit = { vm_action: 'deposit', vm_mailbox: '100', vm_domain: 'pbx.test' }
/** The menus after a recording wait for a key inside `file_string://…!silence_stream://5000`. */
const menu = /silence_stream:\/\//

export const depositEndedByHash: Scenario = {
  name: 'deposit, # ends the recording, 2 saves, # sends',
  destination: '03100',
  variables: deposit,
  steps: [
    { app: 'record' },
    { sleep: 4000 },
    { press: '#' },
    { app: 'playback', data: menu },
    { sleep: 500 },
    { press: '2' },
    { app: 'playback', data: menu },
    { sleep: 500 },
    { press: '#' },
    { end: true },
  ],
}

export const depositEndedByHangup: Scenario = {
  name: 'deposit ended by the caller hanging up',
  destination: '03100',
  variables: deposit,
  steps: [{ app: 'record' }, { sleep: 4000 }, { hangup: true }, { end: true }],
}

export const loginWithPin: Scenario = {
  name: '5000, box number, PIN, # leaves',
  destination: '5000',
  variables: { vm_action: 'menu', vm_domain: 'pbx.test' },
  steps: [
    { app: 'play_and_get_digits' },
    { sleep: 500 },
    { press: '100#' },
    { app: 'play_and_get_digits' },
    { sleep: 500 },
    { press: '4821#' },
    { app: 'playback', data: menu },
    { sleep: 500 },
    { press: '#' },
    { end: true },
  ],
}

export const socketClosedMidRecord: Scenario = {
  name: 'the daemon goes away during the recording',
  destination: '03100',
  variables: deposit,
  steps: [
    { app: 'record' },
    { sleep: 1000 },
    { cut: true },
    { sleep: 1000 },
    { recordingSize: true },
    { sleep: 4000 },
    { recordingSize: true },
    { hangup: true },
    { end: true },
  ],
}

export const socketClosedMidPlayback: Scenario = {
  name: 'the daemon goes away during a menu prompt',
  destination: '03100',
  variables: deposit,
  steps: [
    { app: 'record' },
    { sleep: 4000 },
    { press: '#' },
    { app: 'playback', data: menu },
    { sleep: 1000 },
    { cut: true },
    { end: true },
  ],
}
