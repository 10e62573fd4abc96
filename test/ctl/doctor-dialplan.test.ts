import t from 'tap'
import { readFile } from 'node:fs/promises'
import { findVoicemailApps } from '../../lib/ctl/doctor-dialplan.js'
import { compareDomains, directoryDomains } from '../../lib/ctl/doctor-domains.js'

async function capture(name: string): Promise<string> {
  return readFile(new URL(`../fixtures/freeswitch/${name}`, import.meta.url), 'utf8')
}

void t.test('findVoicemailApps: the extensions of real vanilla that still need mod_voicemail', async (t) => {
  t.same(findVoicemailApps(await capture('xml-locate-dialplan-snippets-copied.xml')), [
    { context: 'default', extension: 'Local_Extension', via: 'loopback' },
    { context: 'default', extension: 'Local_Extension_Skinny', via: 'loopback' },
    { context: 'default', extension: 'vmain', via: 'voicemail' },
  ])
  t.same(findVoicemailApps(await capture('xml-locate-dialplan-voicemaild.xml')), [], 'none once fixed')
})

void t.test('findVoicemailApps: any context, anti-actions, any case, nothing else', (t) => {
  const xml = `<section name="dialplan" description="Regex/XML Dialplan">
    <context name="public">
      <extension name="after_hours">
        <condition field="hour" expression="^(9|1[0-7])$">
          <action application="transfer" data="1000 XML default"/>
          <anti-action application="VoiceMail" data="default \${domain} 800"/>
        </condition>
      </extension>
      <extension>
        <condition field="destination_number" expression="^7$">
          <action application="bridge" data="{ignore_early_media=true}loopback/app=voicemail:default \${domain} 7"/>
        </condition>
      </extension>
      <extension name="not_voicemail">
        <condition field="destination_number" expression="^8$">
          <action application="bridge" data="loopback/app=voicemail_lookalike"/>
          <action application="playback" data="voicemail/vm-goodbye.wav"/>
        </condition>
      </extension>
    </context>
  </section>`
  t.same(findVoicemailApps(xml), [
    { context: 'public', extension: 'after_hours', via: 'voicemail' },
    { context: 'public', extension: '(unnamed)', via: 'loopback' },
  ])
  t.end()
})

void t.test('directoryDomains and compareDomains', async (t) => {
  t.same(directoryDomains(await capture('xml-locate-directory-vanilla.xml')), ['127.0.0.1'])
  t.same(
    directoryDomains('<section name="directory"><domain name="PBX.Example.com"/><domain name=""/></section>'),
    ['pbx.example.com'],
  )
  t.match(compareDomains(['127.0.0.1'], ['pbx.example.com'], 'pbx.example.com'), {
    status: 'warn',
    detail: /share nothing/,
  })
  t.same(compareDomains(['pbx.test'], ['pbx.test'], 'pbx.test'), {
    status: 'ok',
    detail: 'voicemaild serves pbx.test, which FreeSWITCH knows',
  })
})
