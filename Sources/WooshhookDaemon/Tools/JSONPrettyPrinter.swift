/// Re-indents JSON text without parsing it into values, so key order, numbers and escapes stay exactly as sent
/// (a JSONSerialization round trip would reorder keys and rewrite numbers). Input that is not JSON comes out
/// re-indented as far as it goes; this is for display only.
public enum JSONPrettyPrinter {
    public static func format(_ bytes: [UInt8], indent: Int = 2) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        func newline() {
            output.append(0x0A)
            output.append(contentsOf: repeatElement(0x20, count: depth * indent))
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == 0x5C {
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
                index += 1
                continue
            }
            switch byte {
            case 0x22:
                inString = true
                output.append(byte)
            case 0x7B, 0x5B:
                output.append(byte)
                let close: UInt8 = byte == 0x7B ? 0x7D : 0x5D
                var next = index + 1
                while next < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                if next < bytes.count, bytes[next] == close {
                    output.append(close)
                    index = next
                } else {
                    depth += 1
                    newline()
                }
            case 0x7D, 0x5D:
                depth = max(0, depth - 1)
                newline()
                output.append(byte)
            case 0x2C:
                output.append(byte)
                newline()
            case 0x3A:
                output.append(contentsOf: [0x3A, 0x20])
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                output.append(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
