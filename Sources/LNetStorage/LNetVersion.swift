/// The version of LNet, written into every file it creates (`created_by`) and
/// printed by `lnet --version`.
public enum LNetVersion {
    public static let string = "0.1.0"
}
