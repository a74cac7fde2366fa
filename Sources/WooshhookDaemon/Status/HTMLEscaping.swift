/// Text for HTML: the five characters that could end a text node or an attribute value are replaced by entities.
/// Everything on the status page goes through it, because nearly all of it came from outside: event fields from
/// WooshPay's bodies, paths and addresses from unauthenticated requests.
enum HTMLEscaping {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
