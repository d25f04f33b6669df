#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Terminal styling for the text renderer: ANSI colour only when standard output is a terminal
/// and `NO_COLOR` is unset or empty (https://no-color.org). Styles wrap text that has already been
/// sanitised; they never pass log text through unescaped.
public struct Style: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Colour for standard output, decided from `isatty(1)` and `NO_COLOR`.
    public static func forStandardOutput() -> Style {
        Style(enabled: decide(isTTY: isatty(1) == 1, noColor: getenv("NO_COLOR").map { String(cString: $0) }))
    }

    /// The rule: a terminal, and `NO_COLOR` absent or empty.
    public static func decide(isTTY: Bool, noColor: String?) -> Bool {
        guard isTTY else { return false }
        if let v = noColor, !v.isEmpty { return false }
        return true
    }

    func wrap(_ s: String, _ code: String) -> String {
        enabled ? "\u{1b}[" + code + "m" + s + "\u{1b}[0m" : s
    }

    public func bold(_ s: String) -> String { wrap(s, "1") }
    public func dim(_ s: String) -> String { wrap(s, "2") }
    public func red(_ s: String) -> String { wrap(s, "31") }
    public func green(_ s: String) -> String { wrap(s, "32") }
    public func yellow(_ s: String) -> String { wrap(s, "33") }
    public func cyan(_ s: String) -> String { wrap(s, "36") }

    public func confidence(_ c: Confidence) -> String {
        switch c {
        case .high: return green(c.rawValue)
        case .medium: return yellow(c.rawValue)
        case .low: return red(c.rawValue)
        }
    }
}
