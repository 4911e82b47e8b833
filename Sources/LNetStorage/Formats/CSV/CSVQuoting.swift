/// RFC 4180 quoting, for every field LNet writes to a CSV or TSV file whose
/// text it does not control (class names, column names): a field holding the
/// delimiter, a quote, a CR or an LF is put in quotes, its quotes doubled.
/// pandas, Python's csv module and `lnet convert` read such fields back whole.
enum CSVQuoting {
    /// `text` as one field, quoted only when it must be.
    static func field(_ text: String, delimiter: Character = ",") -> String {
        guard text.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
