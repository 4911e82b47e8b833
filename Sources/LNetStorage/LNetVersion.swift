/// The version of LNet, written into every file it creates (`created_by`) and
/// printed by `lnet --version`.
public enum LNetVersion {
    /// The version as `major.minor.patch`, e.g. `0.1.0`; `created_by` holds `lnet` followed by it.
    public static let string = "0.1.0"
}
