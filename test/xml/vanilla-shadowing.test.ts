import t from 'tap'

// The destination_number expressions of the extensions vanilla FreeSWITCH's conf/vanilla/dialplan/default.xml
// defines BEFORE its `<X-PRE-PROCESS cmd="include" data="default/*.xml"/>` (signalwire/freeswitch
// cc93a683ca6e1f8f47c1d6e38bd2daf8fa6a7b1c), in order. An extension there that matches one of our numbers wins over
// our snippet, which is what freeswitch-xml/README.md tells the operator to fix. Extensions without a
// destination_number condition (unloop, tod_example, holiday_example, global) either continue or never match.
const VANILLA_BEFORE_INCLUDE: ReadonlyArray<readonly [string, string]> = [
  ['global-intercept', '^886$'],
  ['group-intercept', '^\\*8$'],
  ['intercept-ext', '^\\*\\*(\\d+)$'],
  ['redial', '^(redial|870)$'],
  ['eavesdrop', '^88(\\d{4})$|^\\*0(.*)$'],
  ['eavesdrop', '^779$'],
  ['call_return', '^\\*69$|^869$|^lcr$'],
  ['del-group', '^80(\\d{2})$'],
  ['add-group', '^81(\\d{2})$'],
  ['call-group-simo', '^82(\\d{2})$'],
  ['call-group-order', '^83(\\d{2})$'],
  ['extension-intercom', '^8(10[01][0-9])$'],
  ['Local_Extension', '^(10[01][0-9])$'],
  ['Local_Extension_Skinny', '^(11[01][0-9])$'],
  ['group_dial_sales', '^2000$'],
  ['group_dial_support', '^2001$'],
  ['group_dial_billing', '^2002$'],
  ['operator', '^(operator|0)$'],
  ['vmain', '^vmain$|^4000$|^\\*98$'],
  ['nb_conferences', '^(30\\d{2})$'],
  ['wb_conferences', '^(31\\d{2})$'],
  ['uwb_conferences', '^(32\\d{2})$'],
  ['cdquality_conferences', '^(33\\d{2})$'],
  ['cdquality_stereo_conferences', '^(35\\d{2}).*?-screen$'],
  ['conference-canvases', '(35\\d{2})-canvas-(\\d+)'],
  ['conf mod', '^6070-moderator$'],
  ['cdquality_conferences', '^(35\\d{2})$'],
  ['cdquality_conferences_720', '^(36\\d{2})$'],
  ['cdquality_conferences_480', '^(37\\d{2})$'],
  ['cdquality_conferences_320', '^(38\\d{2})$'],
  ['freeswitch_public_conf_via_sip', '^9(888|8888|1616|3232)$'],
  ['mad_boss_intercom', '^0911$'],
  ['mad_boss_intercom', '^0912$'],
  ['mad_boss', '^0913$'],
  ['ivr_demo', '^5000$'],
  ['dynamic_conference', '^5001$'],
  ['rtp_multicast_page', '^pagegroup$|^7243$'],
  ['park', '^5900$'],
  ['unpark', '^5901$'],
  ['valet_park', '^(6000)$'],
  ['valet_park', '^((?!6000)60\\d{2})$'],
  ['park', 'park\\+(\\d+)'],
  ['unpark', '^parking$'],
  ['park', 'callpark'],
  ['unpark', 'pickup'],
  ['wait', '^wait$'],
  ['fax_receive', '^9178$'],
  ['fax_transmit', '^9179$'],
  ['ringback_180', '^9180$'],
  ['ringback_183_uk_ring', '^9181$'],
  ['ringback_183_music_ring', '^9182$'],
  ['ringback_post_answer_uk_ring', '^9183$'],
  ['ringback_post_answer_music', '^9184$'],
  ['ClueCon', '^9191$'],
  ['show_info', '^9192$'],
  ['video_record', '^9193$'],
  ['video_playback', '^9194$'],
  ['delay_echo', '^9195$'],
  ['echo', '^9196$'],
  ['milliwatt', '^9197$'],
  ['tone_stream', '^9198$'],
  ['hold_music', '^9664$'],
  ['laugh break', '^9386$'],
]

const shadowedBy = (n: string): string[] =>
  VANILLA_BEFORE_INCLUDE.filter(([, re]) => new RegExp(re).test(n)).map(([name]) => name)

void t.test('vanilla shadows 5000 and 5001, as the README warns', (t) => {
  t.same(shadowedBy('5000'), ['ivr_demo'], '5000 is vanilla ivr_demo')
  t.same(shadowedBy('5001'), ['dynamic_conference'], '5001 is vanilla dynamic_conference')
  t.end()
})

void t.test('no other shipped number is taken by vanilla', (t) => {
  for (const n of ['800', '0310', '03100', '030123456789', '100', '150', '199']) {
    t.same(shadowedBy(n), [], `${n} reaches our snippet`)
  }
  t.end()
})
