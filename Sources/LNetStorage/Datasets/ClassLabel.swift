/// The one rule for a stored label, whatever file it comes from (an HDF5 `y`,
/// a CSV label column, …): a class id is a whole number 0, 1, … below 10^15
/// (larger ids could only size an absurd one-hot matrix).
enum ClassLabel {
    /// The largest class id accepted.
    static let largestID: Int64 = 999_999_999_999_999

    /// The class id `value` stands for, or nil when it is not one (negative,
    /// fractional, not finite, or too large).
    static func id(_ value: Double) -> Int64? {
        guard value.isFinite, value >= 0, value == value.rounded(), value <= Double(largestID) else { return nil }
        return Int64(value)
    }

    /// The class id `value` stands for, or nil when it is negative or too large.
    static func id(_ value: Int64) -> Int64? {
        value >= 0 && value <= largestID ? value : nil
    }

    /// The problem with a label that is not a class id, after the words that say where it is.
    static func notAnID(_ shown: String) -> String {
        "is \(shown); labels must be class ids 0, 1, …"
    }
}
