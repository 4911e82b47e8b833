import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress line on stderr. On a terminal it is one line rewritten in place
/// (`\r`, then "erase to the end of the line") at most ten times a second and
/// cut to the terminal's width, since a wrapped line could not be rewritten.
/// On a pipe or a file it is a plain line now and then, because a log should
/// not fill with carriage returns. Disabled, it prints nothing.
final class ProgressLine {
    enum Style: Equatable {
        case none, terminal, plain
    }

    let style: Style
    private let interval: Double
    private let columns: Int
    private var start: Double
    private var lastDraw: Double?
    private var shown: String?

    /// - Parameters:
    ///   - enabled: false for `--quiet`.
    ///   - plainInterval: seconds between lines on a pipe or a file.
    init(enabled: Bool, terminalInterval: Double = 0.1, plainInterval: Double = 10) {
        let terminal = isatty(STDERR_FILENO) != 0
        style = !enabled ? .none : terminal ? .terminal : .plain
        interval = terminal ? terminalInterval : plainInterval
        columns = terminal ? Self.terminalColumns() : Int.max
        start = Self.now()
    }

    /// Seconds on a monotonic clock (never set back, unlike the wall clock).
    static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Counts the first interval from `time` (when the work starts, after
    /// its data has loaded) instead of from the line's creation.
    func restart(at time: Double) {
        start = time
        lastDraw = nil
    }

    /// Whether a line is due at `time`: the interval has passed since the
    /// last one (or since the start, for the first).
    func isDue(at time: Double) -> Bool {
        style != .none && time - (lastDraw ?? start) >= interval
    }

    /// Shows `text` now.
    func draw(_ text: String, at time: Double) {
        lastDraw = time
        switch style {
        case .none:
            return
        case .terminal:
            // One column fewer than the width: writing the last column makes
            // some terminals wrap at once.
            let fitted = text.count < columns ? text : String(text.prefix(max(columns - 1, 1)))
            shown = fitted
            write("\r\u{1B}[K\(fitted)")
        case .plain:
            write("\(text)\n")
        }
    }

    /// Erases the live line, before anything else is printed, on stdout or stderr.
    func clear() {
        guard style == .terminal, shown != nil else { return }
        write("\r\u{1B}[K")
        shown = nil
    }

    /// Whether the live line is on the terminal now.
    var isShown: Bool { shown != nil }

    /// Prints something above the live line: erases it, runs `body` (which
    /// prints), then draws `text`, so a cost printed in between does not
    /// leave the terminal without progress until the next update.
    func interject(_ body: () -> Void, then text: @autoclosure () -> String, at time: Double) {
        let wasShown = isShown
        clear()
        body()
        if wasShown { draw(text(), at: time) }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
