import t from 'tap'
import { findAll, parseXml, XmlSyntaxError } from '../support/xml.js'

void t.test('parses the FreeSWITCH subset', (t) => {
  const root = parseXml(`<?xml version="1.0" encoding="utf-8"?>
<!-- a comment -->
<include>
  <extension name="a" continue='true'>
    <condition field="destination_number" expression="^(\\d+)$"><action application="set" data="x=&lt;&amp;&gt;&#65;&#x42;"/></condition>
  </extension>
  <X-PRE-PROCESS cmd="include" data="default/*.xml"/>
  <expression><![CDATA[<sip:(.*)>]]></expression>
</include>
<!-- trailing comment -->
`)
  t.equal(root.name, 'include', 'the root element is returned')
  t.equal(root.children.length, 3, 'comments are not children')
  const ext = root.children[0]
  t.same(ext?.attributes, { name: 'a', continue: 'true' }, 'single and double quotes both work')
  t.equal(ext?.line, 4, 'elements know their line')
  t.equal(
    findAll(root, 'action')[0]?.attributes.data,
    'x=<&>AB',
    'entities and character references are decoded',
  )
  t.equal(root.children[1]?.name, 'X-PRE-PROCESS', 'names with dashes parse')
  t.equal(root.children[2]?.text, '<sip:(.*)>', 'CDATA is text')
  t.end()
})

void t.test('rejects what is not well-formed', (t) => {
  const bad: Record<string, string> = {
    'mismatched end tag': '<a><b></a></b>',
    'unclosed element': '<a><b/>',
    'unquoted attribute': '<a x=1/>',
    'duplicate attribute': '<a x="1" x="2"/>',
    'double dash in a comment': '<a><!-- a -- b --></a>',
    'comment ending in a dash': '<a><!-- a ---></a>',
    'bare ampersand': '<a x="a&b"/>',
    'unknown entity': '<a>&nbsp;</a>',
    'less-than in an attribute': '<a x="<"/>',
    'two roots': '<a/><b/>',
    'text after the root': '<a/>x',
    'no root': '<!-- only -->',
    'attributes without whitespace': '<a x="1"y="2"/>',
    DOCTYPE: '<!DOCTYPE a><a/>',
    'unterminated comment': '<a><!-- x</a>',
  }
  for (const [what, src] of Object.entries(bad)) {
    t.throws(() => parseXml(src), XmlSyntaxError, what)
  }
  const err = t.throws(() => parseXml('<a>\n  <b x=1/>\n</a>'))
  t.match(err, { line: 2, column: 8 }, 'the error names line and column')
  t.end()
})
