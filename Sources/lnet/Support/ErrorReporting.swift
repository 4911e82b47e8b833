import ArgumentParser
import Foundation

/// Runs a subcommand's body; if it throws, prints `error: <description>` as
/// one line on stderr and exits with status 1.
///
/// Argument errors never get here: ArgumentParser reports those itself,
/// with usage and exit status 64, before `run()` is called.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        // A command that has said what went wrong already, and chose its status.
        throw exit
    } catch {
        reportFailure(error)
        throw ExitCode.failure
    }
}

/// Writes one `note:` line on stderr: something worth knowing that does not stop the command.
func printNote(_ text: String) {
    FileHandle.standardError.write(Data("note: \(text)\n".utf8))
}

/// Writes one `error:` line on stderr; line breaks inside the message are
/// folded so scripts can rely on exactly one line.
private func reportFailure(_ error: any Error) {
    let message = String(describing: error)
        .split(whereSeparator: \.isNewline)
        .joined(separator: " ")
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}
