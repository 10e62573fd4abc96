/** Command and event lists of mod_event_socket's outbound dialect. */

/** Commands an outbound socket without `full` accepts (mes.c:2236–2238). */
export const NON_FULL = [
  'exit',
  'filter',
  'resume',
  'connect',
  'getvar',
  'myevents',
  'divert_events',
  'sendmsg',
  'nixevent',
]

/** The events `myevents` turns on, filtered to this call (mes.c:2063–2136). */
export const MYEVENTS = [
  'CHANNEL_ANSWER',
  'CHANNEL_APPLICATION',
  'CHANNEL_BRIDGE',
  'CHANNEL_CREATE',
  'CHANNEL_DATA',
  'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_OUTGOING',
  'CHANNEL_PARK',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_STATE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_UNPARK',
  'DETECTED_SPEECH',
  'DTMF',
  'NOTALK',
  'TALK',
  'BACKGROUND_JOB',
]
