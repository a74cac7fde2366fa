import Testing

@testable import HTTPServer

@Suite struct RequestHeadParserTests {
    private func parse(_ text: String) throws(RequestHeadParser.HeadError) -> HTTPRequestHead {
        let bytes = Array(text.utf8)
        return try parseBytes(bytes)
    }

    private func parseBytes(_ bytes: [UInt8]) throws(RequestHeadParser.HeadError) -> HTTPRequestHead {
        let result = bytes.withUnsafeBytes { raw -> Result<HTTPRequestHead, RequestHeadParser.HeadError> in
            do throws(RequestHeadParser.HeadError) {
                return .success(try RequestHeadParser.parse(raw, peerAddress: "127.0.0.1"))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func status(_ text: String) -> Int? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.status
        }
    }

    @Test func parsesAPost() throws {
        let head = try parse(
            "POST /webhooks/wooshpay?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nWooshpay-Signature:  t=1,v1=ab \r\n\r\n"
        )
        #expect(head.method == "POST")
        #expect(head.path == "/webhooks/wooshpay")
        #expect(head.query == "x=1")
        #expect(head.contentLength == 12)
        #expect(head.keepAlive)
        #expect(head.headers.string("WOOSHPAY-SIGNATURE") == "t=1,v1=ab")
    }

    @Test func connectionAndVersionRules() throws {
        #expect(try !parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keepAlive)
        #expect(try !parse("GET / HTTP/1.0\r\n\r\n").keepAlive)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive)
        #expect(try parse("POST / HTTP/1.1\nContent-Length: 1\n\n").contentLength == 1)
        #expect(try parse("POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n").expectsContinue)
    }

    @Test func refusals() {
        #expect(status("GARBAGE\r\n\r\n") == 400)
        #expect(status("GET  / HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET http://x/ HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET / HTTP/2.0\r\n\r\n") == 505)
        #expect(status("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\n: x\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == 411)
        #expect(status("GET / HTTP/1.1\r\nA: b\u{01}c\r\n\r\n") == 400)
    }

    /// Known names are recognised in any case and stored lowercase, like every other name; a name that only looks
    /// like one (an underscore for the dash, one byte short) is an ordinary header and acts on nothing.
    @Test func knownHeaderNamesInAnyCase() throws {
        let head = try parse(
            "POST /w HTTP/1.1\r\nHOST: a\r\nContent-LENGTH: 7\r\nWooshPay-Signature: t=1,v1=ab\r\n"
                + "X-Forwarded-For: 192.0.2.1\r\nConnection: CLOSE\r\nExpect: 100-Continue\r\n"
                + "Content_Length: 9\r\nx-real-i: z\r\nX-Custom: q\r\n\r\n")
        #expect(head.contentLength == 7 && !head.keepAlive && head.expectsContinue)
        #expect(
            head.headers.map(\.name) == [
                "host", "content-length", "wooshpay-signature", "x-forwarded-for", "connection", "expect",
                "content_length", "x-real-i", "x-custom",
            ])
        #expect(head.headers.string("wooshpay-signature") == "t=1,v1=ab")
        #expect(head.headers.string("WooshPay-Signature") == "t=1,v1=ab", "a capitalised lookup still finds it")
        #expect(head.headers.string("x-real-ip") == nil && head.headers.string("X-Real-IP") == nil)
        #expect(status("POST /w HTTP/1.1\r\nTRANSFER-encoding: chunked\r\n\r\n") == 411)
        for header in KnownHeader.allCases {
            for spelling in [header.name, header.name.uppercased()] {
                #expect(Array(spelling.utf8).withUnsafeBytes { KnownHeader.matching($0) } == header)
                #expect(Array((spelling + "x").utf8).withUnsafeBytes { KnownHeader.matching($0) } == nil)
            }
        }
    }

    @Test func sameContentLengthTwiceAndHugeValuesAreFine() throws {
        #expect(try parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n").contentLength == 5)
        #expect(
            try parse("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n").contentLength == Int.max)
    }

    @Test func nonASCIIHeaderBytesAreKeptAsBytes() throws {
        var bytes = Array("POST / HTTP/1.1\r\nWooshpay-Signature: t=1".utf8)
        bytes += [0xC3, 0xA9, 0xFF, 0x80]
        bytes += Array("\r\n\r\n".utf8)
        let head = try parseBytes(bytes)
        #expect(head.headers.first("wooshpay-signature") == Array("t=1".utf8) + [0xC3, 0xA9, 0xFF, 0x80])
        #expect(head.headers.string("wooshpay-signature") == nil)
    }

    @Test func headLengthFindsTheBlankLineAtEveryBoundary() {
        let text = Array("POST / HTTP/1.1\r\nA: b\r\n\r\nBODY".utf8)
        for cut in 0..<text.count {
            let found = Array(text[0..<cut]).withUnsafeBytes { RequestHeadParser.headLength(in: $0) }
            #expect(found == (cut >= 25 ? 25 : nil), "cut \(cut)")
        }
    }

    /// Every byte value in a header value either is kept as it came (visible ASCII, and bytes over 0x7F, which are
    /// kept as bytes) or, being a control character, refuses the head with 400; a space or a tab is trimmed away.
    @Test func everyByteValueInAHeaderIsKeptOrRefused() {
        for byte in UInt8.min...UInt8.max where byte != 0x0A {
            let bytes = Array("GET / HTTP/1.1\r\nX: ".utf8) + [byte] + Array("\r\n\r\n".utf8)
            let isControl = (byte < 0x20 && byte != 0x09) || byte == 0x7F
            do {
                let head = try parseBytes(bytes)
                #expect(!isControl, "control byte \(byte) accepted")
                let expected: [UInt8] = byte == 0x20 || byte == 0x09 ? [] : [byte]
                #expect(head.headers.first("x") == expected, "byte \(byte)")
            } catch {
                #expect(isControl, "byte \(byte) refused: \(error.message)")
                #expect(error.status == 400 && error.code == "bad_request", "byte \(byte)")
            }
        }
    }
}
