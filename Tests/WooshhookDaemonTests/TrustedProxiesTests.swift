import Testing

@testable import WooshhookDaemon

/// `trusted_proxies` and the client address the receive path logs and journals (README, "Configuration"): blocks of
/// either family, and `X-Forwarded-For` read from the right, where only the hops our own proxies added can be believed.
@Suite struct TrustedProxiesTests {
    @Test func blocksMatchByPrefixInEitherFamily() {
        let proxies = TrustedProxies(["10.0.0.0/8", "192.168.0.0/23", "fd00::/8", "2001:db8::7", "198.51.100.9/32"])
        #expect(proxies.invalidEntry == nil)
        for inside in [
            "10.0.0.0", "10.255.255.255", "192.168.0.1", "192.168.1.255", "fd12:3456::1", "2001:db8::7",
            "2001:0db8:0:0:0:0:0:7", "198.51.100.9",
        ] {
            #expect(proxies.contains(inside), "\(inside)")
        }
        for outside in [
            "11.0.0.1", "9.255.255.255", "192.168.2.0", "fe80::1", "2001:db8::8", "198.51.100.10",
            "::ffff:10.0.0.1", "", "localhost", "10.0.0.1:80",
        ] {
            #expect(!proxies.contains(outside), "\(outside)")
        }
    }

    @Test func aZeroPrefixTakesItsWholeFamilyOnly() {
        let anyV4 = TrustedProxies(["0.0.0.0/0"])
        #expect(anyV4.contains("203.0.113.5") && anyV4.contains("127.0.0.1"))
        #expect(!anyV4.contains("::1"))
        let anyV6 = TrustedProxies(["::/0"])
        #expect(anyV6.contains("::1") && anyV6.contains("2001:db8::1"))
        #expect(!anyV6.contains("127.0.0.1"))
        #expect(!TrustedProxies([]).contains("127.0.0.1"))
    }

    @Test(arguments: [
        "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/x", "example.org", "",
        " 10.0.0.1", "10.0.0.1 ", "10.0.0.0/ 8", "10.0.0.256", "[::1]", "127.0.0.1:80",
    ])
    func aMalformedEntryIsNamed(entry: String) {
        let proxies = TrustedProxies(["127.0.0.1", entry, "also bad"])
        #expect(proxies.invalidEntry == entry)
        #expect(proxies.entries == ["127.0.0.1", entry, "also bad"], "kept as written, for check-config")
        #expect(proxies.contains("127.0.0.1"), "the good entries still parse")
    }

    static let proxies = TrustedProxies(["127.0.0.1", "::1", "10.0.0.0/8"])

    static func client(peer: String = "127.0.0.1", _ forwardedFor: String?, realIP: String? = nil) -> String {
        proxies.clientAddress(peer: peer, forwardedFor: forwardedFor, realIP: realIP)
    }

    @Test func anUntrustedPeerIsTheClientWhateverItClaims() {
        #expect(Self.client(peer: "203.0.113.5", "198.51.100.7") == "203.0.113.5")
        #expect(Self.client(peer: "203.0.113.5", nil, realIP: "198.51.100.7") == "203.0.113.5")
        #expect(Self.client(peer: "11.0.0.1", "10.0.0.5") == "11.0.0.1")
    }

    @Test func theChainIsReadFromTheRightUpToTheFirstUntrustedHop() {
        #expect(Self.client("198.51.100.7") == "198.51.100.7")
        #expect(Self.client(peer: "::1", "2001:db8::5") == "2001:db8::5")
        #expect(Self.client("198.51.100.7, 10.0.0.5") == "198.51.100.7", "our own hop is skipped")
        #expect(
            Self.client("203.0.113.66, 198.51.100.7, 10.1.2.3, 10.0.0.5") == "198.51.100.7",
            "what the client wrote on the left is not believed")
        #expect(Self.client("10.0.0.7, 10.0.0.5") == "10.0.0.7", "all hops trusted: the farthest one")
    }

    @Test func spacesTabsPortsAndBracketsAroundAHopAreIgnored() {
        #expect(Self.client("  198.51.100.7\t,\t10.0.0.5  ") == "198.51.100.7")
        #expect(Self.client("198.51.100.7:51234") == "198.51.100.7")
        #expect(Self.client("[2001:db8::5]:443") == "2001:db8::5")
        #expect(Self.client("[2001:db8::5]") == "2001:db8::5")
        #expect(Self.client("198.51.100.7,10.0.0.5,") == "198.51.100.7", "an empty element is no hop")
    }

    @Test func aMalformedHopEndsTheChainAtTheLastTrustedOne() {
        #expect(Self.client("198.51.100.7, garbage, 10.0.0.5") == "10.0.0.5")
        #expect(Self.client("198.51.100.7, unknown") == "127.0.0.1", "no trusted hop before it: the peer")
        #expect(Self.client("198.51.100.7, 10.0.0.999") == "127.0.0.1")
        #expect(Self.client("2001:db8::5:443") == "2001:db8::5:443", "a bare IPv6 address is never cut at a colon")
    }

    @Test func anEmptyOrAbsentHeaderFallsBackToXRealIPThenThePeer() {
        for empty in [nil, "", ","] as [String?] {
            #expect(Self.client(empty) == "127.0.0.1", "\(String(describing: empty))")
            #expect(Self.client(empty, realIP: " 198.51.100.7 ") == "198.51.100.7", "\(String(describing: empty))")
        }
        // A hop of spaces is a hop that is not an address, as "garbage" is: the chain ends there, at the peer.
        for blank in [" ", " , ", "\t"] {
            #expect(Self.client(blank, realIP: "198.51.100.7") == "127.0.0.1", "\(blank)")
        }
        #expect(Self.client(nil, realIP: "not an address") == "127.0.0.1")
        #expect(Self.client(nil, realIP: "[2001:db8::5]:443") == "2001:db8::5")
        #expect(Self.client("203.0.113.66", realIP: "198.51.100.7") == "203.0.113.66", "X-Forwarded-For comes first")
    }
}
