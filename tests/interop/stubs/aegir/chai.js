// What @libp2p/interop imports from aegir: chai with the plugins aegir's chai
// carries that the suite relies on —
//  - promise assertions (chai-as-promised): `.to.eventually...`;
//  - `equalBytes` (as chai-bites): Uint8Array equality;
//  - call-style property assertions (as chai-parentheses): `.ok()`, `.exist()`.
import * as chai from 'chai'
import chaiAsPromised from 'chai-as-promised'

chai.use(chaiAsPromised)

function toHex (b) {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

chai.use((c) => {
  c.Assertion.addMethod('equalBytes', function (expected) {
    const actual = this._obj
    const isBytes = actual instanceof Uint8Array
    const same = isBytes && actual.byteLength === expected.byteLength &&
      actual.every((v, i) => v === expected[i])
    this.assert(same,
      'expected #{act} to equal bytes #{exp}',
      'expected #{act} not to equal bytes #{exp}',
      toHex(expected), isBytes ? toHex(actual) : String(actual))
  })
})

// Property assertions that may also be called: the getter runs the assertion
// as before (or queues it, under `eventually`) and returns something that is
// both callable (returning the assertion) and usable as the assertion itself.
for (const name of ['ok', 'exist', 'true', 'false', 'null', 'undefined', 'empty', 'NaN']) {
  const desc = Object.getOwnPropertyDescriptor(chai.Assertion.prototype, name)
  if (desc?.get == null) continue
  Object.defineProperty(chai.Assertion.prototype, name, {
    configurable: true,
    get () {
      const assertion = desc.get.call(this) ?? this
      return new Proxy(() => assertion, {
        get (_target, prop) {
          const v = Reflect.get(assertion, prop)
          return typeof v === 'function' ? v.bind(assertion) : v
        }
      })
    }
  })
}

export const expect = chai.expect
export const assert = chai.assert
export { chai }
