import Foundation
import Testing
import TextFormats

struct HexTests {
    @Test func everyByteIsTwoLowercaseDigits() {
        #expect(Hex.encode([0x00]) == "00")
        #expect(Hex.encode([0xFF]) == "ff")
        #expect(Hex.encode([0x0F, 0xF0, 0x9A]) == "0ff09a")
        #expect(Hex.encode([UInt8]()) == "")
        let all = (0...255).map(UInt8.init)
        #expect(Hex.encode(all) == all.map { String(format: "%02x", $0) }.joined())
        #expect((0...15).map { Hex.digit(UInt8($0)) } == Array("0123456789abcdef".utf8))
    }

    @Test func appendKeepsWhatIsThere() {
        var out = Array("sha256=".utf8)
        Hex.append([0x00, 0xAB, 0xFF], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "sha256=00abff")
        [UInt8]([0x01, 0x10]).withUnsafeBytes { Hex.append($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "sha256=00abff0110")
    }
}
