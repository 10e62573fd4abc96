// Every test file counts toward coverage of the whole of lib/ and daemon/ (not of test/support).
export default () => ['lib/**', 'daemon/**']
